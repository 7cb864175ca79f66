import numpy as np
import pytest

from restorekit.dsp import amplitude_to_db, dc_offset, remove_dc
from restorekit.errors import ParameterError

RATE = 48000


def sine_amplitude(y, *, frequency, sample_rate):
    """Amplitude of the ``frequency`` component of ``y`` by least squares."""
    t = np.arange(y.size) / sample_rate
    basis = np.stack([np.sin(2 * np.pi * frequency * t), np.cos(2 * np.pi * frequency * t)],
                     axis=1)
    fit, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return float(np.hypot(*fit))


def test_dc_offset_is_the_mean_of_each_channel(sine):
    tone = sine(1000, sample_rate=RATE, seconds=1.0)  # whole cycles: mean 0
    x = np.stack([tone + 0.1, tone - 0.2])
    np.testing.assert_allclose(dc_offset(x), [0.1, -0.2], atol=1e-12)
    assert dc_offset(tone + 0.3).shape == (1,)


def test_mean_mode_removes_a_constant_offset_exactly(sine):
    tone = sine(1000, sample_rate=RATE, seconds=1.0)
    y = remove_dc(np.stack([tone + 0.25, tone - 0.5]), sample_rate=RATE)
    np.testing.assert_allclose(y, np.stack([tone, tone]), atol=1e-12)


@pytest.mark.parametrize("cutoff_hz", [5.0, 20.0])
def test_filter_mode_removes_the_offset_and_keeps_the_tone(sine, cutoff_hz):
    # A 2nd-order Butterworth run forwards and backwards passes 1 kHz with gain
    # 1 / (1 + (fc / f)^4), within 1e-6 of unity for fc <= 20 Hz.
    tone = sine(1000, sample_rate=RATE, seconds=2.0, phase=0.3)
    y = remove_dc(tone + 0.25, sample_rate=RATE, cutoff_hz=cutoff_hz)
    assert abs(y.mean()) < 1e-3
    interior = slice(RATE // 2, -RATE // 2)
    assert np.max(np.abs(y - tone)[interior]) < 1e-3
    ratio = sine_amplitude(y, frequency=1000, sample_rate=RATE)
    assert amplitude_to_db(ratio) == pytest.approx(0.0, abs=0.01)
    constant = remove_dc(np.full(RATE, 0.25), sample_rate=RATE, cutoff_hz=cutoff_hz)
    assert np.max(np.abs(constant)) < 1e-3


def test_filter_is_6_db_down_at_the_cutoff(sine):
    # |H(fc)| = 1/sqrt(2) for a Butterworth, squared by running it twice: -6.02 dB.
    tone = sine(50, sample_rate=RATE, seconds=4.0)
    y = remove_dc(tone, sample_rate=RATE, cutoff_hz=50.0)
    middle = slice(RATE, -RATE)
    level = amplitude_to_db(sine_amplitude(y[middle], frequency=50, sample_rate=RATE)
                            / sine_amplitude(tone[middle], frequency=50, sample_rate=RATE))
    assert level == pytest.approx(-6.02, abs=0.05)


def test_shape_type_and_input_are_kept(rng):
    x = (rng.standard_normal((2, 2000)) + 0.5).astype(np.float32)
    before = x.copy()
    for cutoff in (None, 10.0):
        y = remove_dc(x, sample_rate=RATE, cutoff_hz=cutoff)
        assert y.shape == x.shape and y.dtype == np.float32
    np.testing.assert_array_equal(x, before)
    assert remove_dc(x[0], sample_rate=RATE).shape == (2000,)
    assert remove_dc(np.array([0.5, 0.7, 0.6]), sample_rate=RATE, cutoff_hz=10.0).shape == (3,)


def test_bad_cutoff_is_refused():
    for cutoff in (0.0, -5.0, RATE / 2, float("nan")):
        with pytest.raises(ParameterError, match="cutoff_hz"):
            remove_dc(np.zeros(100), sample_rate=RATE, cutoff_hz=cutoff)
    with pytest.raises(ParameterError, match="frame"):
        dc_offset(np.zeros((2, 0)))
