import numpy as np
import pytest

from restorekit.errors import ParameterError
from restorekit.synth import synthesize_music


def test_is_deterministic_for_a_seed_and_differs_across_seeds():
    def make(seed):
        return synthesize_music(sample_rate=22050, duration=1.0,
                                rng=np.random.default_rng(seed)).samples

    np.testing.assert_array_equal(make(1), make(1))
    assert not np.array_equal(make(1), make(2))


def test_level_shape_and_musical_content():
    a = synthesize_music(sample_rate=44100, duration=3.0, rng=np.random.default_rng(0))
    assert a.channels == 2 and a.frames == 3 * 44100
    assert np.abs(a.samples).max() == pytest.approx(10 ** (-3 / 20), rel=1e-5)
    # broadband but tonal: most energy below 2 kHz, some above 5 kHz (hi-hats, partials)
    spectrum = np.abs(np.fft.rfft(a.mono().samples[0])) ** 2
    freqs = np.fft.rfftfreq(a.frames, 1 / 44100)
    low = spectrum[freqs < 2000].sum() / spectrum.sum()
    high = spectrum[freqs > 5000].sum() / spectrum.sum()
    assert low > 0.8 and 1e-5 < high < 0.1
    # drum attacks: the onset of a beat is far louder than just before it
    beat = round(0.6 * 44100)
    before = np.abs(a.samples[:, beat * 2 - 500: beat * 2 - 10]).max()
    after = np.abs(a.samples[:, beat * 2: beat * 2 + 500]).max()
    assert after > 1.5 * before


def test_mono_and_validation():
    assert synthesize_music(sample_rate=8000, duration=0.5, channels=1,
                            rng=np.random.default_rng(0)).channels == 1
    with pytest.raises(ParameterError, match="duration"):
        synthesize_music(sample_rate=8000, duration=0, rng=np.random.default_rng(0))
    with pytest.raises(ParameterError, match="channels"):
        synthesize_music(sample_rate=8000, duration=1, channels=3, rng=np.random.default_rng(0))


def test_voice_sings_a_pitched_melody_with_consonants():
    from restorekit.synth import synthesize_voice

    rate = 22050
    a = synthesize_voice(sample_rate=rate, duration=2.0, rng=np.random.default_rng(1))
    b = synthesize_voice(sample_rate=rate, duration=2.0, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.samples, b.samples)
    assert a.channels == 2 and a.frames == 2 * rate
    assert np.abs(a.samples).max() == pytest.approx(10 ** (-3 / 20), rel=1e-4)
    # the first note is G4 (392 Hz): the spectrum's strongest low peak is a harmonic of it
    first = a.samples[1, 2000: rate // 2].astype(float)
    spectrum = np.abs(np.fft.rfft(first * np.hanning(first.size)))
    freqs = np.fft.rfftfreq(first.size, 1 / rate)
    peak = freqs[np.argmax(np.where(freqs < 2000, spectrum, 0))]
    assert min(abs(peak / 392.0 - k) for k in range(1, 6)) < 0.05
    with pytest.raises(ParameterError):
        synthesize_voice(sample_rate=rate, duration=0.0, rng=np.random.default_rng(0))
