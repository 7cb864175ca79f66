"""Dehiss: SNR gained on a tone complex in hiss, the floor, mix, block invariance, errors."""

import json

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.errors import ParameterError
from restorekit.metrics import get_metric
from restorekit.restore.dehiss import Dehiss

SR = 44100


def _tones(seconds=3.0, rate=SR):
    """A stereo harmonic complex (220 Hz, 12 partials at 1/k) whose level swells slowly."""
    t = np.arange(round(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * 220 * k * t + k) / k for k in range(1, 13))
    x *= 0.1 * (1.0 + 0.5 * np.sin(2 * np.pi * 0.7 * t))
    return np.stack([x, np.roll(x, 37)])


def _noise(rng, shape, colour):
    """White, or pink (1/f power, flat below 20 Hz), at unit RMS."""
    noise = rng.standard_normal(shape)
    if colour == "pink":
        spectrum = np.fft.rfft(noise)
        freqs = np.fft.rfftfreq(shape[-1], 1 / SR)
        spectrum /= np.sqrt(np.maximum(freqs, 20.0))
        noise = np.fft.irfft(spectrum, n=shape[-1])
    return noise / np.sqrt(np.mean(noise**2))


def _hissy(rng, colour="white", snr_db=5.0):
    """(clean, noisy Audio, noise-only Audio for fit) at ``snr_db``."""
    clean = _tones()
    level = np.sqrt(np.mean(clean**2)) * 10 ** (-snr_db / 20)
    noisy = Audio(clean + level * _noise(rng, clean.shape, colour), SR)
    profile = Audio(level * _noise(rng, (2, SR), colour), SR)
    return clean, noisy, profile


def _attenuation_db(before, after):
    before, after = np.asarray(before, float), np.asarray(after, float)
    return 10 * np.log10(np.mean(before**2) / np.mean(after**2))


@pytest.mark.parametrize("colour", ["white", "pink"])
def test_mmse_gains_at_least_6_db_snr_on_tones_in_hiss(rng, colour):
    clean, noisy, profile = _hissy(rng, colour)
    snr, si_sdr = get_metric("snr"), get_metric("si_sdr")
    done = Dehiss().fit(profile).restore(noisy)
    assert snr(clean, done.audio.samples, SR) - snr(clean, noisy.samples, SR) >= 6.0
    assert si_sdr(clean, done.audio.samples, SR) - si_sdr(clean, noisy.samples, SR) >= 6.0


def test_gate_reduces_hiss_too(rng):
    clean, noisy, profile = _hissy(rng)
    snr = get_metric("snr")
    done = Dehiss(method="gate").fit(profile).restore(noisy)
    assert snr(clean, done.audio.samples, SR) - snr(clean, noisy.samples, SR) >= 6.0
    assert done.report["method"] == "gate"


def test_removed_is_input_minus_output(rng):
    _, noisy, profile = _hissy(rng)
    done = Dehiss().fit(profile).restore(noisy)
    np.testing.assert_allclose(done.removed.samples, noisy.samples - done.audio.samples,
                               atol=1e-6)
    assert done.audio.samples.shape == noisy.samples.shape
    assert len(done.events) == 0


@pytest.mark.parametrize("method", ["mmse", "gate"])
def test_pure_noise_comes_down_to_about_the_floor(rng, method):
    noise = Audio(0.02 * _noise(rng, (2, 2 * SR), "white"), SR)
    profile = Audio(0.02 * _noise(rng, (2, SR), "white"), SR)
    deep = Dehiss(method=method, floor_db=-20.0).fit(profile).restore(noise)
    assert _attenuation_db(noise.samples, deep.audio.samples) >= 12.0
    # with a shallow floor the floor is what sets the level: no more than it, nearly it
    shallow = Dehiss(method=method, floor_db=-10.0).fit(profile).restore(noise)
    assert 7.5 <= _attenuation_db(noise.samples, shallow.audio.samples) <= 10.2
    assert deep.report["mean_gain_reduction_db"] > shallow.report["mean_gain_reduction_db"]


def test_extra_reduction_takes_more(rng):
    noise = Audio(0.02 * _noise(rng, (2, 2 * SR), "white"), SR)
    profile = Audio(0.02 * _noise(rng, (2, SR), "white"), SR)
    for method in ("mmse", "gate"):
        plain = Dehiss(method=method, floor_db=-40.0).fit(profile).restore(noise)
        more = Dehiss(method=method, floor_db=-40.0, reduction_db=6.0).fit(profile)
        assert (_attenuation_db(noise.samples, more.restore(noise).audio.samples)
                > _attenuation_db(noise.samples, plain.audio.samples) + 2.0)


@pytest.mark.parametrize("method", ["mmse", "gate"])
def test_noiseless_signal_passes_nearly_unchanged(rng, method):
    tones = Audio(_tones(2.0), SR)
    silence = Audio(1e-6 * rng.standard_normal((2, SR)), SR)
    done = Dehiss(method=method).fit(silence).restore(tones)
    assert get_metric("snr")(tones.samples, done.audio.samples, SR) >= 40.0


def test_mix_zero_returns_the_input_exactly(rng):
    _, noisy, profile = _hissy(rng)
    done = Dehiss(mix=0.0).fit(profile).restore(noisy)
    np.testing.assert_array_equal(done.audio.samples, noisy.samples)
    assert not done.removed.samples.any()


def test_report_names_method_level_and_reduction(rng):
    noise = Audio(0.01 * _noise(rng, (2, SR), "white"), SR)
    noisy = Audio(_tones() + 0.01 * _noise(rng, (2, 3 * SR), "white"), SR)
    report = Dehiss().fit(noise).restore(noisy).report
    assert report["method"] == "mmse" and report["noise_source"] == "fit"
    assert report["noise_level_db"] == pytest.approx(-40.0, abs=0.2)
    assert report["mean_gain_reduction_db"] > 3.0
    json.dumps(report)


def test_without_fit_the_noise_comes_from_the_quietest_stretch(rng):
    # music well above the hiss, so that noise_floor keeps only the run-in (it keeps
    # windows within 6 dB of the quietest, and this music swells down by 6 dB)
    clean, noisy, profile = _hissy(rng, snr_db=15.0)
    # a second of run-in groove before the music, as on a transfer
    transfer = Audio(np.concatenate([profile.samples, noisy.samples], axis=1), SR)
    unfitted = Dehiss().restore(transfer)
    fitted = Dehiss().fit(profile).restore(transfer)
    assert "not fitted" in unfitted.report["noise_source"]
    assert unfitted.report["noise_segments"][0][1] <= 1.0
    assert unfitted.report["noise_level_db"] == pytest.approx(
        fitted.report["noise_level_db"], abs=1.0)
    snr = get_metric("snr")
    music = slice(SR, None)
    assert (snr(clean, unfitted.audio.samples[:, music], SR)
            >= snr(clean, transfer.samples[:, music], SR) + 5.0)


def test_grid_and_context_scale_with_the_rate():
    d = Dehiss()
    assert (d.grid(44100), d.context(44100)) == (512, 2048 + 2 * 512)
    assert (d.grid(48000), d.grid(96000), d.grid(22050)) == (512, 1024, 256)
    assert Dehiss(smoothing_frames=4).context(44100) == 2048 + 4 * 512
    assert Dehiss(method="gate").context(44100) >= d.context(44100)


def _block_error(d, samples, rate, *, start, keep, context):
    whole = d.restore(Audio(samples, rate)).audio.samples
    part = d.restore(Audio(samples[:, start: start + 2 * context + keep], rate))
    kept = part.audio.samples[:, context: context + keep]
    return np.abs(kept - whole[:, start + context: start + context + keep]).max()


@pytest.mark.parametrize(("method", "rate"), [("mmse", 44100), ("mmse", 48000),
                                              ("mmse", 22050), ("gate", 44100)])
def test_a_window_on_the_grid_gives_the_same_samples_as_the_whole(rng, method, rate):
    samples = _tones(2.0, rate) + 0.02 * rng.standard_normal((2, 2 * rate))
    d = Dehiss(method=method).fit(Audio(0.02 * rng.standard_normal((2, rate)), rate))
    grid, context = d.grid(rate), d.context(rate)
    for start in (0, 3 * grid, 41 * grid):
        assert _block_error(d, samples, rate, start=start, keep=4000,
                            context=context) <= 1e-6
    if method == "mmse":
        # the check can fail: too little context, or a start off the grid, shows
        assert _block_error(d, samples, rate, start=41 * grid, keep=4000,
                            context=d.frame_length(rate) // 2) > 1e-5
        assert _block_error(d, samples, rate, start=41 * grid + grid // 2, keep=4000,
                            context=context) > 1e-6


@pytest.mark.parametrize("kwargs", [{"reduction_db": -1.0}, {"n_fft": 3000},
                                    {"n_fft": 1000}, {"n_fft": 128}, {"floor_db": 3.0},
                                    {"method": "wiener"}, {"smoothing_frames": -1},
                                    {"mix": 1.5}])
def test_bad_parameters_are_refused(kwargs):
    with pytest.raises(ParameterError):
        Dehiss(**kwargs)


def test_noise_that_does_not_match_the_audio_is_refused(rng):
    stereo_noise = Audio(0.01 * rng.standard_normal((2, SR)), SR)
    mono = Audio(_tones(1.0)[:1], SR)
    with pytest.raises(ParameterError, match="2-channel noise"):
        Dehiss().fit(stereo_noise).restore(mono)
    with pytest.raises(ParameterError, match="48000 Hz"):
        Dehiss().fit(stereo_noise).restore(Audio(_tones(1.0, 48000), 48000))
    with pytest.raises(ParameterError, match="at least 16 samples"):
        Dehiss().fit(Audio(np.zeros((2, 8)), SR))
    with pytest.raises(ParameterError):
        Dehiss().fit(np.zeros((2, SR)))
