import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import restorekit.dsp.clip as clip_module
from restorekit.dsp import amplitude_to_db, limit_true_peak, soft_clip, true_peak
from restorekit.errors import ParameterError

# --- soft_clip ----------------------------------------------------------------------------


def test_soft_clip_leaves_everything_below_the_knee_alone(rng):
    x = rng.uniform(-0.9, 0.9, size=(2, 1000))
    np.testing.assert_array_equal(soft_clip(x, ceiling=1.0, knee=0.9), x)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(ceiling=st.floats(0.1, 2.0), knee=st.floats(0.0, 0.99))
def test_soft_clip_is_monotonic_odd_and_under_the_ceiling(ceiling, knee):
    half = np.linspace(0, 50, 10001)
    x = np.concatenate([-half[:0:-1], half])
    y = soft_clip(x, ceiling=ceiling, knee=knee)
    assert np.all(np.abs(y) <= ceiling)
    assert np.all(np.diff(y) >= 0)
    np.testing.assert_array_equal(y, -y[::-1])


def test_soft_clip_has_slope_one_at_the_knee():
    # C1 continuity: the tanh branch leaves the identity with slope tanh'(0) = 1.
    knee, ceiling, h = 0.8, 0.5, 1e-6
    point = knee * ceiling
    above = (soft_clip(np.array([point + h]), ceiling=ceiling, knee=knee)[0] - point) / h
    assert above == pytest.approx(1.0, abs=1e-5)
    # And the curve bends: well above the knee the slope has dropped.
    far = soft_clip(np.array([0.6, 0.6 + h]), ceiling=ceiling, knee=knee)
    assert np.diff(far)[0] / h < 0.5


def test_soft_clip_keeps_shape_and_float_type():
    x = np.array([0.5, 2.0, -3.0], dtype=np.float32)
    y = soft_clip(x)
    assert y.shape == x.shape and y.dtype == np.float32
    assert x[1] == 2.0  # not modified in place


def test_soft_clip_refuses_bad_parameters():
    with pytest.raises(ParameterError, match="ceiling"):
        soft_clip(np.zeros(3), ceiling=0.0)
    with pytest.raises(ParameterError, match="knee"):
        soft_clip(np.zeros(3), knee=1.0)


# --- limit_true_peak ----------------------------------------------------------------------


def tp_db(x, rate):
    return amplitude_to_db(true_peak(x, sample_rate=rate))


def test_signal_under_the_ceiling_comes_back_bit_identical(rng):
    x = (rng.standard_normal((2, 48000)) * 0.05).astype(np.float32)
    assert tp_db(x, 48000) < -1.0
    y = limit_true_peak(x, sample_rate=48000, ceiling_db=-1.0)
    assert y is not x and y.dtype == np.float32
    np.testing.assert_array_equal(y, x)


def test_full_scale_square_wave(rng):
    # A naive square wave overshoots between samples (about +2 dBTP here); the limiter
    # must bring it to the ceiling without crushing it further.
    rate = 48000
    t = np.arange(rate) / rate
    x = np.sign(np.sin(2 * np.pi * 1000 * t + 0.1))
    assert tp_db(x, rate) > 1.0
    y = limit_true_peak(x, sample_rate=rate, ceiling_db=-1.0)
    assert -1.2 < tp_db(y, rate) <= -1.0 + 0.1


@pytest.mark.parametrize("rate", [8000, 44100, 96000])
def test_sine_overdriven_by_6_db(sine, rate):
    x = sine(997, sample_rate=rate, seconds=0.5, amplitude=2.0, phase=0.2)
    y = limit_true_peak(x, sample_rate=rate, ceiling_db=-1.0)
    assert tp_db(y, rate) <= -1.0 + 0.1
    assert tp_db(y, rate) > -1.2
    assert np.all(np.abs(y) <= np.abs(x))  # gain only ever goes down


def test_gain_changes_only_near_the_peak(sine):
    # A quiet tone with one loud click at 1 s: far before it nothing changes; after it
    # the gain recovers (time constant 50 ms) and is exactly 1 again well within 1.5 s.
    rate = 44100
    x = sine(440, sample_rate=rate, seconds=3.0, amplitude=0.1)
    click = rate
    x[click] = 2.0
    y = limit_true_peak(x, sample_rate=rate, ceiling_db=-1.0)
    assert tp_db(y, rate) <= -1.0 + 0.1
    before = click - round(0.01 * rate)
    after = click + round(1.5 * rate)
    np.testing.assert_array_equal(y[:before], x[:before])
    np.testing.assert_array_equal(y[after:], x[after:])
    assert abs(y[click]) < 0.9  # the click itself was turned down


def test_stereo_gain_is_linked(rng, sine):
    # Only the left channel is too loud, but both get the same gain, so the balance
    # between them never moves.
    rate = 48000
    left = sine(300, sample_rate=rate, seconds=0.5, amplitude=1.5)
    right = sine(500, sample_rate=rate, seconds=0.5, amplitude=0.2)
    x = np.stack([left, right])
    y = limit_true_peak(x, sample_rate=rate)
    assert tp_db(y, rate) <= -1.0 + 0.1
    both = (np.abs(x[0]) > 1e-3) & (np.abs(x[1]) > 1e-3)
    np.testing.assert_allclose(y[0, both] / x[0, both], y[1, both] / x[1, both], rtol=1e-9)
    assert np.any(y[1] != x[1])


@settings(max_examples=25, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), ceiling_db=st.floats(-12.0, 0.0),
       lookahead_ms=st.floats(0.1, 10.0), release_ms=st.floats(0.0, 200.0),
       rate=st.sampled_from([8000, 44100, 96000]))
def test_ceiling_holds_for_any_settings(seed, ceiling_db, lookahead_ms, release_ms, rate):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, rate // 4)) * rng.uniform(0.1, 1.0)
    x[:, rng.integers(0, x.shape[1], 10)] *= 6  # clicks
    y = limit_true_peak(x, sample_rate=rate, ceiling_db=ceiling_db,
                        lookahead_ms=lookahead_ms, release_ms=release_ms)
    assert tp_db(y, rate) <= ceiling_db + 0.1


def test_last_resort_still_meets_the_ceiling(monkeypatch, rng):
    # Should the passes ever fail to converge, the whole signal is scaled to the ceiling.
    monkeypatch.setattr(clip_module, "_limiting_gain", lambda envelope, **_: np.ones(envelope.size))
    x = rng.standard_normal(4800)
    y = limit_true_peak(x, sample_rate=48000, ceiling_db=-1.0)
    assert tp_db(y, 48000) == pytest.approx(-1.0, abs=1e-9)
    np.testing.assert_allclose(y / x, y[0] / x[0], rtol=1e-12)


def test_limiter_keeps_shape_type_and_input(rng):
    x = rng.standard_normal(4800)
    before = x.copy()
    y = limit_true_peak(x, sample_rate=48000)
    assert y.shape == x.shape and y.dtype == np.float64
    np.testing.assert_array_equal(x, before)
    y32 = limit_true_peak(x.astype(np.float32), sample_rate=48000)
    assert y32.dtype == np.float32 and tp_db(y32, 48000) <= -1.0 + 0.1


def test_limiter_refuses_bad_parameters():
    x = np.zeros(100)
    with pytest.raises(ParameterError, match="ceiling_db"):
        limit_true_peak(x, sample_rate=48000, ceiling_db=1.0)
    with pytest.raises(ParameterError, match="lookahead_ms"):
        limit_true_peak(x, sample_rate=48000, lookahead_ms=0.0)
    with pytest.raises(ParameterError, match="release_ms"):
        limit_true_peak(x, sample_rate=48000, release_ms=-1.0)
    with pytest.raises(TypeError):
        limit_true_peak(x)  # no default sample rate
