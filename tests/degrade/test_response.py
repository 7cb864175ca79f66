
import numpy as np
import pytest
from scipy.signal import hilbert
from scipy.signal.windows import blackmanharris

from restorekit.audio import Audio
from restorekit.degrade.response import BandLimit, Saturation, WowFlutter, sinc_interpolate
from restorekit.errors import ParameterError

SR = 44100


@pytest.fixture
def noise(rng) -> Audio:
    """Half a second of stereo white noise at a moderate level."""
    return Audio(0.2 * rng.standard_normal((2, SR // 2)), SR)


def db(ratio):
    return 10 * np.log10(ratio)


@pytest.mark.parametrize("cls, kwargs", [
    (BandLimit, {"low_hz": 0.0}),
    (BandLimit, {"low_hz": (250.0, 80.0)}),
    (BandLimit, {"low_hz": "80"}),
    (BandLimit, {"high_hz": 5.0}),
    (BandLimit, {"high_hz": (3000.0, np.nan)}),
    (BandLimit, {"low_hz": 4000.0, "high_hz": 3000.0}),
    (BandLimit, {"resonances": -1}),
    (BandLimit, {"resonances": (1, 2.5)}),
    (BandLimit, {"resonances": 11}),
    (BandLimit, {"resonance_gain_db": 30.0}),
    (BandLimit, {"resonance_q": 0.0}),
    (BandLimit, {"p": 1.5}),
    (WowFlutter, {"wow_hz": 0.0}),
    (WowFlutter, {"wow_depth": -0.001}),
    (WowFlutter, {"wow_depth": (0.001, 0.2)}),
    (WowFlutter, {"flutter_hz": 0.5}),
    (WowFlutter, {"flutter_depth": (0.001, 0.0001)}),
    (WowFlutter, {"p": -0.1}),
    (Saturation, {"drive": 0.0}),
    (Saturation, {"drive": (1.0, 2.0, 3.0)}),
    (Saturation, {"drive": True}),
    (Saturation, {"p": "always"}),
])
def test_bad_parameters_raise(cls, kwargs):
    with pytest.raises(ParameterError):
        cls(**kwargs)


# --- BandLimit ------------------------------------------------------------------------------


def response_db(degradation, *, seed=0, frames=1 << 16):
    """Magnitude response in dB (and its frequencies) from the impulse response.

    A zero-phase filter turns a centred impulse into a symmetric response whose spectrum
    is the filter's magnitude response.
    """
    impulse = np.zeros(frames)
    impulse[frames // 2] = 1.0
    out = degradation(Audio(impulse, SR), np.random.default_rng(seed))
    h = out.audio.samples[0].astype(np.float64)
    magnitude = np.abs(np.fft.rfft(h))
    return 20 * np.log10(magnitude + 1e-12), np.fft.rfftfreq(frames, 1 / SR), h, out.truth


def at(freqs, curve, f):
    return curve[np.argmin(np.abs(freqs - f))]


def test_band_limit_is_zero_phase(rng):
    _, _, h, _ = response_db(BandLimit(), frames=1 << 14)
    centre = h.size // 2
    left, right = h[centre - 2000:centre][::-1], h[centre + 1:centre + 2001]
    np.testing.assert_allclose(left, right, atol=1e-5 * np.abs(h).max())


def test_band_limit_without_resonances_is_a_butterworth_band():
    curve, freqs, _, truth = response_db(BandLimit(low_hz=200.0, high_hz=4000.0, resonances=0))
    assert truth.params["resonance_hz"] == []
    assert at(freqs, curve, np.sqrt(200 * 4000)) == pytest.approx(0.0, abs=0.1)
    # Each cut-off is -3 dB per pass, -6 dB for forwards and backwards.
    assert at(freqs, curve, 200.0) == pytest.approx(-6.0, abs=0.3)
    assert at(freqs, curve, 4000.0) == pytest.approx(-6.0, abs=0.3)
    # 48 dB/octave: two octaves out is far down.
    assert at(freqs, curve, 50.0) < -80
    assert at(freqs, curve, 16000.0) < -80


@pytest.mark.parametrize("seed", range(6))
def test_band_limit_default_attenuates_outside_the_band(seed):
    curve, freqs, _, truth = response_db(BandLimit(), seed=seed)
    low, high = truth.params["low_hz"], truth.params["high_hz"]
    assert at(freqs, curve, low / 4) < -20
    assert at(freqs, curve, 2 * high) < -20
    assert np.all(curve[freqs >= 2 * high] < -20)
    # In the band's middle the gain is at least the Butterworth's (about 0 dB) and at
    # most every resonance's gain stacked.
    middle = at(freqs, curve, np.sqrt(low * high))
    assert -0.5 < middle < sum(truth.params["resonance_gain_db"]) + 0.5
    assert curve.max() < sum(truth.params["resonance_gain_db"]) + 0.5


def test_band_limit_resonance_peaks_at_its_drawn_frequency_and_gain():
    band_limit = BandLimit(low_hz=30.0, high_hz=16000.0, resonances=1, resonance_gain_db=12.0,
                           resonance_q=4.0)
    curve, freqs, _, truth = response_db(band_limit, seed=3)
    (freq,) = truth.params["resonance_hz"]
    assert 300 < freq < 5000, "seed should put the resonance well inside the band"
    assert truth.params["resonance_gain_db"] == [12.0] and truth.params["resonance_q"] == [4.0]
    peak = freqs[np.argmax(curve)]
    assert peak == pytest.approx(freq, rel=0.01)
    assert curve.max() == pytest.approx(12.0, abs=0.2)
    assert at(freqs, curve, freq * 2) < 6.0  # a resonance, not a shelf


def test_band_limit_clamps_high_cut_below_nyquist():
    audio = Audio(np.zeros(4000), 8000)
    out = BandLimit(high_hz=(10_000.0, 20_000.0))(audio, np.random.default_rng(0))
    assert out.truth.params["high_hz"] == pytest.approx(0.45 * 8000)


def test_band_limit_refuses_a_low_cut_above_the_clamped_high_cut():
    audio = Audio(np.zeros(1000), 1000)
    with pytest.raises(ParameterError, match="low_hz"):
        BandLimit(low_hz=500.0, high_hz=6000.0)(audio, np.random.default_rng(0))


# --- WowFlutter -----------------------------------------------------------------------------


def instantaneous_frequency(x, *, smooth=441):
    """Hilbert phase derivative in Hz, smoothed over ``smooth`` frames (10 ms)."""
    phase = np.unwrap(np.angle(hilbert(x)))
    freq = np.diff(phase) * SR / (2 * np.pi)
    return np.convolve(freq, np.ones(smooth) / smooth, mode="same")


def test_wow_swings_a_tone_by_its_depth_at_its_rate(tone):
    depth, rate = 0.002, 1.0
    audio = tone(1000.0, sample_rate=SR, duration=3.0)
    out = WowFlutter(wow_hz=rate, wow_depth=depth, flutter_depth=0.0)(
        audio, np.random.default_rng(5))
    track = instantaneous_frequency(out.audio.samples[0].astype(np.float64))
    inner = slice(SR // 10, -SR // 10)  # away from Hilbert edge effects
    deviation = track[inner] / 1000.0 - 1.0
    assert (deviation.max() - deviation.min()) / 2 == pytest.approx(depth, rel=0.10)
    # Upward zero crossings of the deviation come once per period.
    ups = np.flatnonzero((deviation[:-1] < 0) & (deviation[1:] >= 0))
    assert len(ups) >= 2
    assert np.mean(np.diff(ups)) / SR == pytest.approx(1 / rate, rel=0.02)
    # And it follows the drawn phase: speed = 1 + depth cos(2 pi f t + phase).
    t = (np.arange(track.size) + 0.5) / SR
    expected = depth * np.cos(2 * np.pi * rate * t + out.truth.params["wow_phase"])
    assert np.max(np.abs(deviation - expected[inner])) < 0.05 * depth


@pytest.mark.parametrize("freq", [1000.0, 10000.0])
def test_wow_and_flutter_keep_a_tone_spectrally_pure(freq, tone):
    # Worst-case depths: 0.38 % of 10 kHz is 38 Hz, so +-300 Hz holds every FM sideband;
    # anything beyond it is interpolation error. A 4-point Lagrange cubic is fine at 1 kHz
    # but leaves about -55 dB at 10 kHz; the windowed sinc stays near -100 dB.
    audio = tone(freq, sample_rate=SR, duration=1.0)
    out = WowFlutter(wow_depth=0.003, flutter_depth=0.0008)(audio, np.random.default_rng(1))
    y = out.audio.samples[0].astype(np.float64)
    power = np.abs(np.fft.rfft(y * blackmanharris(y.size))) ** 2
    freqs = np.fft.rfftfreq(y.size, 1 / SR)
    away = np.abs(freqs - freq) > 300
    assert db(power[away].sum() / power.sum()) < -80


def test_wow_flutter_starts_aligned_and_is_identity_without_modulation(tone, rng):
    audio = Audio(0.3 * rng.standard_normal((2, 3000)), SR)
    still = WowFlutter(wow_depth=0.0, flutter_depth=0.0)(audio, rng)
    np.testing.assert_allclose(still.audio.samples, audio.samples, atol=1e-6)
    moving = WowFlutter(wow_depth=0.003, flutter_depth=0.0008)(audio, rng)
    np.testing.assert_allclose(moving.audio.samples[:, 0], audio.samples[:, 0], atol=1e-6)


def test_wow_flutter_moves_every_channel_alike(tone):
    audio = tone(440.0, sample_rate=SR, duration=0.5, channels=2)
    out = WowFlutter()(audio, np.random.default_rng(3))
    np.testing.assert_array_equal(out.audio.samples[0], out.audio.samples[1])


def test_sinc_interpolate_reads_between_samples_of_a_band_limited_signal():
    t = np.arange(2000)
    x = np.sin(2 * np.pi * 0.1 * t)[np.newaxis]
    position = np.linspace(100, 1900, 5001)
    np.testing.assert_allclose(sinc_interpolate(x, position)[0],
                               np.sin(2 * np.pi * 0.1 * position), atol=1e-4)


# --- Saturation -----------------------------------------------------------------------------


def test_saturation_leaves_quiet_signals_alone(tone):
    audio = tone(440.0, sample_rate=SR, duration=0.2, amplitude=0.01, channels=2)
    out = Saturation(drive=3.0)(audio, np.random.default_rng(0))
    np.testing.assert_allclose(out.audio.samples, audio.samples, rtol=1e-3, atol=0)


def test_saturation_is_odd_monotonic_and_pulls_loud_samples_in():
    half = np.linspace(0.0, 1.0, 2001)
    x = np.concatenate([-half[:0:-1], half])
    out = Saturation(drive=(1.0, 3.0))(Audio(x, SR), np.random.default_rng(0))
    y = out.audio.samples[0]
    drive = out.truth.params["drive"]
    assert 1.0 <= drive <= 3.0
    np.testing.assert_array_equal(y, -y[::-1])
    assert np.all(np.diff(y) > 0)
    loud = np.abs(x) >= 0.1
    assert np.all(np.abs(y[loud]) < np.abs(x[loud]))
    assert np.abs(y).max() < 1.0 / drive


def test_saturation_of_huge_samples_stays_finite():
    audio = Audio(np.array([1e30, -1e30, 0.0]), SR)
    out = Saturation(drive=100.0)(audio, np.random.default_rng(0))
    np.testing.assert_allclose(out.audio.samples[0], [0.01, -0.01, 0.0])
