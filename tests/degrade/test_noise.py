"""Surface noise, rumble and hum: levels, spectra and the once-per-turn swell."""

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.degrade import Hum, Rumble, SurfaceNoise

RATE = 44100


def _silence(seconds, channels=2):
    return Audio(np.zeros((channels, round(seconds * RATE)), dtype=np.float32), RATE)


def test_surface_noise_level_band_and_rotation_swell():
    d = SurfaceNoise(surface_noise_level=0.02, modulation_depth=0.5, rpm=78.0)(
        _silence(60), np.random.default_rng(5))
    noise = d.truth.added
    assert np.sqrt(np.mean(noise.astype(np.float64) ** 2)) == pytest.approx(0.02, rel=1e-3)
    # the level's envelope (10 ms RMS) has its strongest slow component at 78/60 = 1.3 Hz
    frame = RATE // 100
    envelope = np.sqrt((noise[0, : noise.shape[1] // frame * frame] ** 2)
                       .reshape(-1, frame).mean(axis=1))
    spectrum = np.abs(np.fft.rfft(envelope - envelope.mean()))
    freqs = np.fft.rfftfreq(envelope.size, 1 / 100)
    slow = (freqs > 0.3) & (freqs < 10)
    assert freqs[slow][np.argmax(spectrum[slow])] == pytest.approx(1.3, abs=0.05)
    # band-limited hiss: little below 100 Hz or above 15 kHz
    power = np.abs(np.fft.rfft(noise[0])) ** 2
    f = np.fft.rfftfreq(noise.shape[1], 1 / RATE)
    assert power[(f < 100) | (f > 15000)].sum() < 0.02 * power.sum()


def test_surface_noise_is_partly_correlated_between_channels():
    d = SurfaceNoise(stereo_correlation=0.5)(_silence(10), np.random.default_rng(6))
    left, right = d.truth.added
    assert np.corrcoef(left, right)[0, 1] == pytest.approx(0.5, abs=0.05)


def test_rumble_lives_below_30_hz():
    d = Rumble(level=0.01, cutoff_hz=25.0)(_silence(30, channels=1), np.random.default_rng(7))
    added = d.truth.added[0]
    assert np.sqrt(np.mean(added.astype(np.float64) ** 2)) == pytest.approx(0.01, rel=1e-3)
    power = np.abs(np.fft.rfft(added)) ** 2
    f = np.fft.rfftfreq(added.size, 1 / RATE)
    assert power[f < 40].sum() > 0.97 * power.sum()


@pytest.mark.parametrize("mains", [50.0, 60.0])
def test_hum_has_mains_harmonics_at_the_set_level(mains):
    d = Hum(level_db=-40.0, mains_hz=mains, harmonics=(5, 5))(_silence(4),
                                                               np.random.default_rng(8))
    f0 = d.truth.params["fundamental_hz"]
    assert f0 == pytest.approx(mains, rel=0.0021)
    hum = d.truth.added[0].astype(np.float64)
    assert 20 * np.log10(np.sqrt(np.mean(hum**2))) == pytest.approx(-40.0, abs=0.01)
    np.testing.assert_array_equal(d.truth.added[0], d.truth.added[1])
    spectrum = np.abs(np.fft.rfft(hum * np.hanning(hum.size)))
    freqs = np.fft.rfftfreq(hum.size, 1 / RATE)
    for k in range(1, 6):
        near = np.abs(freqs - k * f0) < 2
        assert spectrum[near].max() > 100 * np.median(spectrum)
    assert spectrum[np.abs(freqs - 6 * f0) < 2].max() < 1e-3 * spectrum.max()
