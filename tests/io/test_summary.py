import numpy as np
import pytest
import soundfile as sf

from restorekit.dsp import integrated_loudness, true_peak
from restorekit.io import summarize


def test_streamed_statistics_equal_whole_signal_ones(tmp_path, rng):
    rate = 48000
    t = np.arange(5 * rate) / rate
    x = np.stack([0.4 * np.sin(2 * np.pi * 330 * t) + 0.01,
                  0.1 * rng.standard_normal(t.size) - 0.02]).astype(np.float32)
    path = tmp_path / "x.wav"
    sf.write(path, x.T, rate, subtype="FLOAT")
    for chunk_seconds in (0.37, 1.0, 10.0):
        s = summarize(path, chunk_seconds=chunk_seconds)
        assert s.sample_peak == pytest.approx(np.abs(x).max())
        assert s.true_peak == pytest.approx(true_peak(x, sample_rate=rate), rel=2e-3)
        assert s.loudness == pytest.approx(integrated_loudness(x, sample_rate=rate), abs=0.05)
        np.testing.assert_allclose(s.dc_offset, x.mean(axis=1), atol=1e-6)
        assert (s.clipped, s.nonfinite) == (0, 0)


def test_clipping_counts_full_scale_pcm_codes(tmp_path):
    x = np.zeros(1000, dtype=np.int16)
    x[10:14] = 32767
    x[20:22] = -32768
    x[30] = 32766  # one LSB below full scale: not clipped
    path = tmp_path / "clip.wav"
    sf.write(path, x, 8000, subtype="PCM_16")
    s = summarize(path)
    assert s.clipped == 6
    assert s.lines()[0] == str(path)


def test_loudness_is_not_a_number_where_bs1770_is_silent(tmp_path, rng):
    path = tmp_path / "eight.wav"
    sf.write(path, 0.1 * rng.standard_normal((4800, 8)), 48000)
    s = summarize(path)
    assert np.isnan(s.loudness) and s.true_peak > 0
    assert any("n/a" in line for line in s.lines())


def test_silence_reads_minus_infinity(tmp_path):
    path = tmp_path / "silence.flac"
    sf.write(path, np.zeros((44100, 2)), 44100)
    s = summarize(path)
    assert (s.sample_peak, s.true_peak, s.loudness) == (0.0, 0.0, -np.inf)
    text = "\n".join(s.lines())
    assert "-inf dBFS" in text and "-inf dBTP" in text and "-inf LUFS" in text
