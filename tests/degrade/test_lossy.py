
import numpy as np
import pytest
from scipy.signal import welch

from restorekit.audio import Audio
from restorekit.degrade.lossy import MP3_BITRATES, AdditiveNoise, Mp3, Resample
from restorekit.errors import ParameterError

SR = 44100


@pytest.fixture
def noise(rng) -> Audio:
    """Half a second of stereo white noise at a moderate level."""
    return Audio(0.2 * rng.standard_normal((2, SR // 2)), SR)


def db(ratio):
    return 10 * np.log10(ratio)


def snr_db(reference, estimate):
    reference = np.asarray(reference, dtype=np.float64)
    error = reference - np.asarray(estimate, dtype=np.float64)
    return db(np.sum(reference**2) / np.sum(error**2))


def band_fraction_db(samples, sample_rate, above_hz):
    """Share of the power above ``above_hz``, in dB."""
    power = np.abs(np.fft.rfft(np.asarray(samples, dtype=np.float64), axis=-1)) ** 2
    freqs = np.fft.rfftfreq(samples.shape[-1], 1 / sample_rate)
    return db(power[..., freqs > above_hz].sum() / power.sum())


def best_lag(reference, estimate, reach=50):
    """The lag in -reach..reach at which ``estimate`` best correlates with ``reference``."""
    x, y = reference.mean(axis=0), estimate.mean(axis=0)
    scores = [np.dot(x[reach:-reach], y[reach + lag:y.size - reach + lag])
              for lag in range(-reach, reach + 1)]
    return int(np.argmax(scores)) - reach


@pytest.mark.parametrize("cls, kwargs", [
    (Mp3, {"bitrate_kbps": 16}),
    (Mp3, {"bitrate_kbps": 400}),
    (Mp3, {"bitrate_kbps": (320, 64)}),
    (Mp3, {"bitrate_kbps": (33, 39)}),  # no standard rate in between
    (Mp3, {"bitrate_kbps": "128"}),
    (Mp3, {"p": 2}),
    (Resample, {"rate_hz": 500}),
    (Resample, {"rate_hz": (16000, 8000)}),
    (Resample, {"rate_hz": 8000.5}),
    (Resample, {"p": -1}),
    (AdditiveNoise, {"snr_db": np.inf}),
    (AdditiveNoise, {"snr_db": (40.0, 10.0)}),
    (AdditiveNoise, {"snr_db": 200.0}),
    (AdditiveNoise, {"color": "brown"}),
    (AdditiveNoise, {"color": None}),
    (AdditiveNoise, {"p": None}),
])
def test_bad_parameters_raise(cls, kwargs):
    with pytest.raises(ParameterError):
        cls(**kwargs)


# --- Mp3 ------------------------------------------------------------------------------------


def test_mp3_output_is_aligned_and_close_at_320_kbps(stereo_music):
    out = Mp3(bitrate_kbps=320)(stereo_music, np.random.default_rng(0))
    assert best_lag(stereo_music.samples, out.audio.samples) == 0
    # Waveform SNR of MP3 on this synthesised music is about 21 dB at 320 kbit/s (the
    # noise-like drums are coded as noise, not waveforms; tones alone reach ~70 dB),
    # while the same output one frame off scores about 8 dB: 15 dB proves both the
    # alignment and the coding.
    assert snr_db(stereo_music.samples, out.audio.samples) > 15
    assert out.truth.params["bitrate_kbps"] == 320
    assert out.truth.params["codec_rate"] == SR
    # LAME's delay (576 + 529 = 1105 frames), less any part the decoder already skipped.
    assert 500 <= out.truth.params["delay_frames"] <= 2500


def test_mp3_at_64_kbps_drops_the_treble(stereo_music):
    high = Mp3(bitrate_kbps=320)(stereo_music, np.random.default_rng(0)).audio.samples
    low = Mp3(bitrate_kbps=64)(stereo_music, np.random.default_rng(0)).audio.samples
    # The music holds about -18 dB of its power above 16 kHz; 320 kbit/s keeps most of
    # it, while LAME's low-pass at 64 kbit/s (about 11 kHz) removes it.
    assert band_fraction_db(high, SR, 16000) > -25
    assert band_fraction_db(low, SR, 16000) < -50
    assert snr_db(stereo_music.samples, low) < snr_db(stereo_music.samples, high)


def test_mp3_draws_standard_bit_rates_within_the_range(noise):
    drawn = {Mp3(bitrate_kbps=(100, 200))(noise, np.random.default_rng(s)).truth.params[
        "bitrate_kbps"] for s in range(8)}
    assert drawn <= {112, 128, 160, 192} and len(drawn) > 1
    assert drawn <= set(MP3_BITRATES)


def test_mp3_resamples_an_unsupported_rate_and_stays_aligned(stereo_music):
    audio = stereo_music.slice(0, 1.0).resample(96000)
    out = Mp3(bitrate_kbps=256)(audio, np.random.default_rng(0))
    assert out.audio.sample_rate == 96000
    assert out.audio.samples.shape == audio.samples.shape
    assert out.truth.params["codec_rate"] == 48000
    assert best_lag(audio.samples, out.audio.samples) == 0
    assert snr_db(audio.samples, out.audio.samples) > 15


def test_mp3_caps_the_bit_rate_of_low_sample_rates(tone):
    audio = tone(440.0, sample_rate=16000, duration=0.5)
    out = Mp3(bitrate_kbps=320)(audio, np.random.default_rng(0))
    assert out.truth.params["codec_rate"] == 16000
    assert out.truth.params["bitrate_kbps"] == 160  # MPEG-2's highest


def test_mp3_codes_mono_and_odd_channel_counts(stereo_music):
    mono = stereo_music.mono()
    out = Mp3(bitrate_kbps=192)(mono, np.random.default_rng(0))
    assert out.audio.samples.shape == mono.samples.shape
    assert best_lag(mono.samples, out.audio.samples) == 0
    assert snr_db(mono.samples, out.audio.samples) > 12
    three = Audio(np.concatenate([stereo_music.samples, mono.samples]), SR).slice(0, 0.5)
    out = Mp3(bitrate_kbps=192)(three, np.random.default_rng(0))
    for channel in range(3):  # each channel still its own signal, aligned
        assert snr_db(three.samples[channel], out.audio.samples[channel]) > 10


def test_mp3_clips_overloaded_samples_instead_of_wrapping(tone):
    audio = tone(440.0, sample_rate=SR, duration=0.5, amplitude=1.5)
    out = Mp3(bitrate_kbps=320)(audio, np.random.default_rng(0))
    assert np.abs(out.audio.samples).max() < 1.3  # wrapped int16 would swing wildly
    assert snr_db(np.clip(audio.samples, -1, 1), out.audio.samples) > 15


def test_mp3_of_silence_is_silent():
    out = Mp3()(Audio(np.zeros((2, 4000)), SR), np.random.default_rng(0))
    assert not out.audio.samples.any()
    assert out.truth.params["delay_frames"] == 1105


# --- Resample -------------------------------------------------------------------------------


def test_resample_removes_everything_above_the_new_nyquist(noise):
    out = Resample(rate_hz=(8000, 16000))(noise, np.random.default_rng(0))
    rate = out.truth.params["rate_hz"]
    assert 8000 <= rate <= 16000 and isinstance(rate, int)
    freqs, before = welch(noise.samples.astype(np.float64), fs=SR, nperseg=2048)
    _, after = welch(out.audio.samples.astype(np.float64), fs=SR, nperseg=2048)
    above = freqs > 0.5 * rate + 100  # one Welch bin of leakage clear of the edge
    assert db(after[:, above].sum() / before[:, above].sum()) < -60


def test_resample_keeps_the_pass_band(tone):
    audio = tone(1000.0, sample_rate=SR, duration=0.5, channels=2)
    out = Resample(rate_hz=8000)(audio, np.random.default_rng(0))
    inner = slice(500, -500)  # the resampler's filters ring on the abrupt ends
    assert snr_db(audio.samples[:, inner], out.audio.samples[:, inner]) > 40


def test_resample_to_a_higher_rate_does_nothing(noise):
    out = Resample(rate_hz=48000)(noise, np.random.default_rng(0))
    np.testing.assert_array_equal(out.audio.samples, noise.samples)
    assert out.truth.params["rate_hz"] == 48000


# --- AdditiveNoise --------------------------------------------------------------------------


@pytest.mark.parametrize("color", ["white", "pink"])
def test_additive_noise_is_exactly_what_was_added(color, stereo_music):
    out = AdditiveNoise(color=color)(stereo_music, np.random.default_rng(0))
    added = out.truth.added
    assert AdditiveNoise.additive
    assert added.dtype == np.float32 and added.shape == stereo_music.samples.shape
    np.testing.assert_array_equal(stereo_music.samples + added, out.audio.samples)


@pytest.mark.parametrize("color", ["white", "pink"])
def test_additive_noise_hits_the_drawn_snr(color, stereo_music):
    out = AdditiveNoise(snr_db=(5.0, 50.0), color=color)(stereo_music, np.random.default_rng(3))
    drawn = out.truth.params["snr_db"]
    assert 5.0 <= drawn <= 50.0 and out.truth.params["color"] == color
    measured = db(np.sum(stereo_music.samples.astype(np.float64) ** 2)
                  / np.sum(out.truth.added.astype(np.float64) ** 2))
    assert measured == pytest.approx(drawn, abs=0.1)


def test_additive_noise_on_silence_is_set_against_full_scale():
    silent = Audio(np.zeros((2, 10000)), SR)
    out = AdditiveNoise(snr_db=40.0)(silent, np.random.default_rng(0))
    rms = np.sqrt(np.mean(out.truth.added.astype(np.float64) ** 2))
    assert rms == pytest.approx(0.01, rel=1e-4)


def test_additive_noise_is_independent_per_channel(noise):
    out = AdditiveNoise()(noise, np.random.default_rng(0))
    left, right = out.truth.added.astype(np.float64)
    assert abs(np.corrcoef(left, right)[0, 1]) < 0.02


@pytest.mark.parametrize("color, slope", [("white", 0.0), ("pink", -3.01)])
def test_additive_noise_spectrum_slope_per_octave(color, slope):
    quiet = Audio(np.zeros((1, 8 * SR)), SR)
    out = AdditiveNoise(snr_db=0.0, color=color)(quiet, np.random.default_rng(1))
    freqs, power = welch(out.truth.added[0].astype(np.float64), fs=SR, nperseg=8192)
    band = (freqs >= 50) & (freqs <= 16000)
    fitted = np.polyfit(np.log2(freqs[band]), 10 * np.log10(power[band]), 1)[0]
    assert fitted == pytest.approx(slope, abs=1.0)
