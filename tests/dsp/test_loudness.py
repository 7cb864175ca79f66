import numpy as np
import pytest

from restorekit.dsp import LoudnessMeter, integrated_loudness, k_weighting_sos
from restorekit.errors import ParameterError

# ITU-R BS.1770-4 Table 1 (pre-filter) and Table 2 (RLB high-pass) at 48 kHz, b then a.
TABLE_1 = [1.53512485958697, -2.69169618940638, 1.19839281085285,
           1.0, -1.69065929318241, 0.73248077421585]
TABLE_2 = [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621]


def streamed(x, *, sample_rate, rng):
    """Loudness from LoudnessMeter fed ``x`` in randomly sized blocks."""
    x = np.atleast_2d(x)
    meter = LoudnessMeter(sample_rate=sample_rate, channels=x.shape[0])
    for block in np.split(x, np.sort(rng.integers(0, x.shape[1], size=30)), axis=1):
        meter.process(block)
    return meter.integrated()


def both(x, *, sample_rate, rng):
    return (integrated_loudness(x, sample_rate=sample_rate),
            streamed(x, sample_rate=sample_rate, rng=rng))


def test_k_weighting_is_the_standards_filter_at_48k():
    sos = k_weighting_sos(sample_rate=48000)
    np.testing.assert_allclose(sos[0], TABLE_1, atol=1e-11)
    np.testing.assert_allclose(sos[1], TABLE_2, atol=1e-11)


def test_one_channel_full_scale_sine_reads_minus_3_01(sine, rng):
    # BS.1770-4 Annex 1: a 0 dBFS 1 kHz sine in one of L, R, C reads -3.01 LKFS.
    tone = sine(1000, sample_rate=48000, seconds=2.0)
    for x in (tone, np.stack([tone, np.zeros_like(tone)])):
        for reading in both(x, sample_rate=48000, rng=rng):
            assert reading == pytest.approx(-3.01, abs=0.1)


def test_stereo_sine_reads_0_and_gain_moves_it_exactly(sine, rng):
    tone = sine(1000, sample_rate=44100, seconds=2.0)
    loud = both(np.stack([tone, tone]), sample_rate=44100, rng=rng)
    quiet = both(np.stack([tone, tone]) * 10 ** (-20 / 20), sample_rate=44100, rng=rng)
    for reading in loud:
        assert reading == pytest.approx(0.0, abs=0.1)
    for a, b in zip(loud, quiet, strict=True):
        assert a - b == pytest.approx(20.0, abs=0.01)


def test_surround_channels_weigh_1_41(sine, rng):
    # The same sine in Ls (weight 1.41) reads 10 log10(1.41) = 1.49 LU above L.
    tone = sine(1000, sample_rate=48000, seconds=1.0)
    front, surround = np.zeros((5, tone.size)), np.zeros((5, tone.size))
    front[0], surround[3] = tone, tone
    for a, b in zip(both(front, sample_rate=48000, rng=rng),
                    both(surround, sample_rate=48000, rng=rng), strict=True):
        assert b - a == pytest.approx(10 * np.log10(1.41), abs=0.01)


def test_relative_gate_drops_the_quiet_part(rng):
    # 3 s of noise, then 3 s 30 dB quieter. The quiet blocks fall below the -10 LU
    # relative gate; what is left is the 27 blocks wholly in the loud part and the 3
    # that straddle the change holding 3/4, 1/2 and 1/4 of loud audio (all within 10 LU).
    # Without the gate the reading would be about 3 LU lower.
    loud = rng.standard_normal((2, 3 * 48000)) * 0.1
    quiet = rng.standard_normal((2, 3 * 48000)) * 0.1 * 10 ** (-30 / 20)
    expected = (integrated_loudness(loud, sample_rate=48000)
                + 10 * np.log10((27 + 0.75 + 0.5 + 0.25) / 30))
    for reading in both(np.concatenate([loud, quiet], axis=1), sample_rate=48000, rng=rng):
        assert reading == pytest.approx(expected, abs=0.03)


def test_absolute_gate_and_silence_give_minus_inf(rng):
    faint = rng.standard_normal(48000) * 1e-5  # about -100 LUFS, below the -70 gate
    for x in (np.zeros((2, 48000)), faint):
        assert both(x, sample_rate=48000, rng=rng) == (-np.inf, -np.inf)


def test_shorter_than_one_block_gives_minus_inf(rng):
    x = rng.standard_normal(int(0.39 * 48000))
    assert both(x, sample_rate=48000, rng=rng) == (-np.inf, -np.inf)
    assert LoudnessMeter(sample_rate=48000, channels=1).integrated() == -np.inf


@pytest.mark.parametrize("sample_rate", [22050, 44100, 48000])
def test_streaming_agrees_with_pyloudnorm(rng, sample_rate):
    from scipy.signal import lfilter

    seconds = 3.0
    white = rng.standard_normal((2, int(seconds * sample_rate))) * 0.2
    # Leaky-integrated noise: most energy at low frequency, where K-weighting cuts.
    brown = lfilter([0.05], [1, -0.99], rng.standard_normal(int(seconds * sample_rate)))
    swell = white * np.linspace(0.01, 1.0, white.shape[1]) ** 2  # exercises the gates
    for x in (white, brown, swell):
        reference = integrated_loudness(x, sample_rate=sample_rate)
        for _ in range(2):
            assert streamed(x, sample_rate=sample_rate, rng=rng) == pytest.approx(
                reference, abs=0.05)


def test_input_is_not_modified(rng):
    x = rng.standard_normal((2, 24000)).astype(np.float32)
    before = x.copy()
    both(x, sample_rate=48000, rng=rng)
    np.testing.assert_array_equal(x, before)


def test_bad_input_is_refused():
    with pytest.raises(ParameterError, match="channels"):
        integrated_loudness(np.zeros((6, 48000)), sample_rate=48000)
    with pytest.raises(ParameterError, match="channels"):
        LoudnessMeter(sample_rate=48000, channels=6)
    with pytest.raises(ParameterError, match="sample_rate"):
        integrated_loudness(np.zeros(48000), sample_rate=10)
    with pytest.raises(ParameterError, match="sample_rate"):
        LoudnessMeter(sample_rate=4000, channels=1)
    meter = LoudnessMeter(sample_rate=48000, channels=2)
    with pytest.raises(ParameterError, match="2 channels"):
        meter.process(np.zeros(100))
