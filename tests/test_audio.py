import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.errors import ParameterError


def test_shape_dtype_and_properties():
    a = Audio(np.zeros((2, 48000), dtype=np.float64), 48000)
    assert a.samples.dtype == np.float32 and a.samples.shape == (2, 48000)
    assert (a.channels, a.frames, a.duration) == (2, 48000, 1.0)
    assert "channels=2" in repr(a)


def test_one_dimensional_input_is_mono():
    assert Audio(np.zeros(10), 8000).samples.shape == (1, 10)


def test_samples_are_frozen_and_copied():
    source = np.zeros((1, 100), dtype=np.float32)
    a = Audio(source, 8000)
    source[0, 0] = 1.0
    assert a.samples[0, 0] == 0.0
    with pytest.raises(ValueError):
        a.samples[0, 0] = 1.0
    with pytest.raises(AttributeError):
        a.sample_rate = 1  # type: ignore[misc]


@pytest.mark.parametrize("rate", [999, 768_001, 0, -44100, 44100.5, float("nan"), "44100", True])
def test_absurd_sample_rates_are_refused(rate):
    with pytest.raises(ParameterError, match="sample_rate"):
        Audio(np.zeros(10), rate)


def test_integral_float_rate_is_accepted():
    assert Audio(np.zeros(10), 44100.0).sample_rate == 44100


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_refused(bad):
    x = np.zeros(10)
    x[3] = bad
    with pytest.raises(ParameterError, match="NaN or infinite"):
        Audio(x, 8000)


def test_channel_limits_and_transpose_hint():
    with pytest.raises(ParameterError, match="transpose"):
        Audio(np.zeros((8000, 2)), 8000)
    with pytest.raises(ParameterError, match="1 to 64 channels"):
        Audio(np.zeros((65, 10000)), 8000)
    assert Audio(np.zeros((64, 10)), 8000).channels == 64
    with pytest.raises(ParameterError, match="at least one frame"):
        Audio(np.zeros((1, 0)), 8000)
    with pytest.raises(ParameterError, match="shaped"):
        Audio(np.zeros((1, 2, 3)), 8000)


def test_mono_averages_channels():
    a = Audio(np.array([[1.0, 0.5], [0.0, -0.5]]), 8000)
    np.testing.assert_allclose(a.mono().samples, [[0.5, 0.0]])
    assert a.mono().mono().samples.shape == (1, 2)


def test_slice_in_seconds(tone):
    a = tone(100, sample_rate=8000, duration=1.0)
    part = a.slice(0.25, 0.5)
    assert part.frames == 2000
    np.testing.assert_array_equal(part.samples, a.samples[:, 2000:4000])
    assert a.slice(0.5).frames == 4000
    assert a.slice(0.9, 5.0).frames == 800
    with pytest.raises(ParameterError, match="empty"):
        a.slice(0.5, 0.5)
    with pytest.raises(ParameterError, match="start"):
        a.slice(-1.0, 0.5)


def test_resample_keeps_a_tone_and_its_level(tone):
    a = tone(1000, sample_rate=44100, duration=1.0, amplitude=0.5, channels=2)
    b = a.resample(16000)
    assert b.sample_rate == 16000 and b.channels == 2
    assert abs(b.frames - 16000) <= 1
    spectrum = np.abs(np.fft.rfft(b.samples[0, 1000:-1000] * np.hanning(b.frames - 2000)))
    peak_hz = np.argmax(spectrum) * 16000 / (b.frames - 2000)
    assert abs(peak_hz - 1000) < 2
    rms = np.sqrt(np.mean(b.samples[:, 1000:-1000] ** 2))
    assert rms == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)
    assert a.resample(44100) is a


def test_resample_round_trip_is_transparent(tone):
    a = tone(440, sample_rate=48000, duration=0.5)
    back = a.resample(44100).resample(48000)
    err = back.samples[:, 500:-500] - a.samples[:, 500:-500]
    assert 20 * np.log10(np.sqrt(np.mean(err**2)) / np.sqrt(np.mean(a.samples**2))) < -90


def test_with_samples_keeps_rate_and_source(tmp_path):
    a = Audio(np.zeros(10), 8000, source=tmp_path / "x.wav")
    b = a.with_samples(np.ones(10))
    assert b.sample_rate == 8000 and b.source == tmp_path / "x.wav"
