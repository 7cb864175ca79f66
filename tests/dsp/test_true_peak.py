import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from restorekit.dsp import TruePeakMeter, amplitude_to_db, true_peak, true_peak_envelope
from restorekit.errors import ParameterError


def quarter_rate_sine(*, sample_rate, phase, fade):
    """A sine at sample_rate / 4: x[n] = sin(pi/2 n + phase), faded in and out."""
    n = np.arange(sample_rate // 2)
    return fade(np.sin(np.pi / 2 * n + phase), frames=sample_rate // 100)


@pytest.mark.parametrize("sample_rate", [44100, 48000])
def test_sine_sampled_off_its_crest_reads_0_dbtp(sample_rate, fade):
    # Sampled 45 degrees off the crest, every sample is +-0.707 (-3.01 dBFS), but the
    # wave through them peaks at 1.0.
    x = quarter_rate_sine(sample_rate=sample_rate, phase=np.pi / 4, fade=fade)
    assert amplitude_to_db(np.max(np.abs(x))) == pytest.approx(-3.0103, abs=1e-3)
    assert amplitude_to_db(true_peak(x, sample_rate=sample_rate)) == pytest.approx(0.0,
                                                                                  abs=0.2)
    assert true_peak(x, sample_rate=sample_rate) == pytest.approx(1.0, abs=1e-3)


def test_oversampling_factor_follows_the_sample_rate(fade):
    # Phase 3pi/8 puts the crest a quarter-sample after a sample: x4 oversampling lands on
    # it, x2 sees sin(3pi/8) at best, and no oversampling sees the same.
    crest_missed = amplitude_to_db(np.sin(3 * np.pi / 8))  # -0.688 dB
    readings = {rate: amplitude_to_db(true_peak(
        quarter_rate_sine(sample_rate=rate, phase=3 * np.pi / 8, fade=fade),
        sample_rate=rate)) for rate in (48000, 88200, 96000, 176400, 192000)}
    assert readings[48000] == pytest.approx(0.0, abs=0.01)
    assert readings[88200] == pytest.approx(0.0, abs=0.01)
    assert readings[96000] == pytest.approx(crest_missed, abs=0.01)
    assert readings[176400] == pytest.approx(crest_missed, abs=0.01)
    assert readings[192000] == pytest.approx(crest_missed, abs=1e-9)  # the sample peak


def test_matches_the_continuous_peak_of_a_band_limited_signal(rng, fade):
    # Tones below sample_rate / 10: between x4 grid points the wave can sag by at most
    # |x''| (1/8 sample)^2 / 2 < 0.3 % (0.03 dB), so the reading must be that close to
    # the peak of the continuous wave, found here on a 64x finer grid.
    rate, frames = 48000, 9600
    freqs = rng.uniform(100, rate / 10, size=5)
    amps = rng.uniform(0.1, 0.3, size=5)
    phases = rng.uniform(0, 2 * np.pi, size=5)

    def wave(t):
        return sum(a * np.sin(2 * np.pi * f / rate * t + p)
                   for f, a, p in zip(freqs, amps, phases, strict=True))

    x = fade(wave(np.arange(frames)), frames=480)
    fine = np.arange(64 * frames) / 64
    continuous = np.max(np.abs(fade(wave(fine), frames=480 * 64)))
    reading = true_peak(x, sample_rate=rate)
    assert amplitude_to_db(reading / continuous) == pytest.approx(0.0, abs=0.05)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 2), st.integers(1, 300)),
                elements=st.floats(-4, 4)),
       sample_rate=st.sampled_from([8000, 44100, 96000, 192000]))
def test_never_below_the_sample_peak(x, sample_rate):
    # The interpolator passes every original sample through exactly.
    assert true_peak(x, sample_rate=sample_rate) >= np.max(np.abs(x))


@pytest.mark.parametrize("sample_rate", [44100, 96000, 192000])
def test_meter_is_independent_of_block_size(rng, sample_rate):
    x = rng.standard_normal((2, 20000)) * np.linspace(0.1, 1.0, 20000)
    x[1, 12345] = 3.0  # a click, so the peak sits somewhere definite
    whole = true_peak(x, sample_rate=sample_rate)
    for _ in range(3):
        cuts = np.sort(rng.integers(0, x.shape[1], size=25))
        meter = TruePeakMeter(sample_rate=sample_rate, channels=2)
        for block in np.split(x, cuts, axis=1):  # includes empty and 1-frame blocks
            meter.process(block)
        assert amplitude_to_db(meter.true_peak / whole) == pytest.approx(0.0, abs=1e-9)


def test_reading_the_meter_mid_stream_does_not_disturb_it(rng):
    x = rng.standard_normal(5000)
    meter = TruePeakMeter(sample_rate=48000, channels=1)
    meter.process(x[:2500])
    assert meter.true_peak == pytest.approx(true_peak(x[:2500], sample_rate=48000))
    meter.process(x[2500:])
    assert meter.true_peak == pytest.approx(true_peak(x, sample_rate=48000))


def test_ringing_after_the_last_sample_counts():
    # A step cut off at full scale overshoots after its end, as a converter's would.
    x = np.ones(100)
    assert true_peak(x, sample_rate=48000) > 1.01


def test_envelope_covers_every_frame_and_peaks_at_the_true_peak(rng):
    x = rng.standard_normal((2, 3000))
    envelope = true_peak_envelope(x, sample_rate=44100)
    assert envelope.shape == (3000,)
    assert np.all(envelope >= np.max(np.abs(x), axis=0))  # linked over channels
    assert envelope.max() == true_peak(x, sample_rate=44100)


def test_input_is_not_modified_and_float32_is_accepted(rng):
    x = rng.standard_normal((2, 1000)).astype(np.float32)
    before = x.copy()
    assert true_peak(x, sample_rate=44100) == pytest.approx(
        true_peak(x.astype(np.float64), sample_rate=44100))
    np.testing.assert_array_equal(x, before)


def test_bad_input_is_refused():
    with pytest.raises(TypeError):
        true_peak(np.zeros(10))  # no default sample rate
    with pytest.raises(ParameterError, match="finite"):
        true_peak(np.array([0.0, np.nan]), sample_rate=48000)
    with pytest.raises(ParameterError, match="channels"):
        TruePeakMeter(sample_rate=48000, channels=0)
    meter = TruePeakMeter(sample_rate=48000, channels=2)
    with pytest.raises(ParameterError, match="2 channels"):
        meter.process(np.zeros((1, 10)))
