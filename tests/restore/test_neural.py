import numpy as np
import pytest
import torch

from restorekit.audio import Audio
from restorekit.models.checkpoint import BUNDLED, save_model
from restorekit.models.denoiser import ImpulseAwareDenoiser
from restorekit.restore import NeuralDenoise, restore_file


@pytest.fixture
def small_model(each_small_config):
    torch.manual_seed(2)
    return ImpulseAwareDenoiser(each_small_config)


def test_restores_at_the_model_rate_with_the_protocol(small_model, rng):
    x = Audio((0.1 * rng.standard_normal((2, 8000))).astype(np.float32), 8000)
    done = NeuralDenoise(small_model, chunk_seconds=0.5, overlap_seconds=0.05).restore(x)
    assert done.audio.samples.shape == (2, 8000)
    np.testing.assert_allclose(done.removed.samples, x.samples - done.audio.samples,
                               atol=1e-6)
    with torch.inference_mode():
        direct = small_model(torch.tensor(x.samples)[None]).audio[0].numpy()
    inner = slice(500, -500)
    np.testing.assert_allclose(done.audio.samples[:, inner], direct[:, inner], atol=1e-5)


def test_other_rates_change_only_the_model_band(small_model, rng):
    """At 4x the model's rate, what lies above the model's band passes untouched."""
    t = np.arange(32000) / 32000
    high = 0.05 * np.sin(2 * np.pi * 12000 * t)  # above 4 kHz, the model's Nyquist
    x = Audio(np.stack([high + 0.05 * rng.standard_normal(t.size)]).astype(np.float32),
              32000)
    out = NeuralDenoise(small_model, chunk_seconds=0.5, overlap_seconds=0.05).restore(x)
    spectrum = lambda s: np.abs(np.fft.rfft(s[0, 4000:-4000]))  # noqa: E731
    k = int(12000 * (t.size - 8000) / 32000)
    before, after = spectrum(x.samples), spectrum(out.audio.samples)
    assert after[k - 2: k + 3].max() == pytest.approx(before[k - 2: k + 3].max(), rel=0.02)


def test_upper_band_is_pushed_down_under_a_click(small_model):
    x = np.zeros((1, 32000), np.float32)
    x[0, 16000] = 0.9
    out = NeuralDenoise(small_model, chunk_seconds=0.5,
                        overlap_seconds=0.05).restore(Audio(x, 32000)).audio.samples
    from scipy.signal import butter, sosfiltfilt

    sos = butter(8, 5000, btype="highpass", fs=32000, output="sos")
    high_in = np.abs(sosfiltfilt(sos, x[0])[15900:16100]).max()
    high_out = np.abs(sosfiltfilt(sos, out[0])[15900:16100]).max()
    assert high_out < 0.6 * high_in


def test_events_come_from_the_combined_mask(small_model):
    x = np.zeros((1, 8000), np.float32)
    x[0, 4000] = 0.9
    done = NeuralDenoise(small_model, chunk_seconds=0.5, overlap_seconds=0.05).restore(
        Audio(x, 8000))
    assert len(done.events) >= 1
    assert np.min(np.abs(done.events.position - 4000)) <= 2


def test_restore_file_with_a_saved_model(small_model, tmp_path, rng, monkeypatch):
    from restorekit.io import load, save

    save_model(small_model, tmp_path / "models" / "tiny")
    monkeypatch.setenv("RESTOREKIT_MODELS", str(tmp_path / "models"))
    source = tmp_path / "in.flac"
    save(Audio((0.1 * rng.standard_normal((1, 16000))).astype(np.float32), 8000), source)
    before = source.read_bytes()
    restore_file(source, tmp_path / "out.flac", NeuralDenoise("tiny"), progress=False)
    assert source.read_bytes() == before
    assert load(tmp_path / "out.flac").frames == 16000


def test_block_size_does_not_change_the_file(small_model, tmp_path, rng):
    from restorekit.io import load, save

    source = tmp_path / "in.wav"
    x = 0.1 * rng.standard_normal((1, 40000))
    x[0, ::4000] += 0.8  # clicks, some at block edges
    save(Audio(x.astype(np.float32), 8000), source, subtype="FLOAT")
    outs = []
    for seconds in (0.7005, 3.0):  # 5604 frames: off the model's 16-frame phase
        path = tmp_path / f"out_{seconds}.wav"
        restore_file(source, path, NeuralDenoise(small_model, chunk_seconds=0.5,
                                                 overlap_seconds=0.05),
                     block_seconds=seconds, fit=False, progress=False)
        outs.append(load(path).samples)
    np.testing.assert_allclose(outs[0], outs[1], atol=1e-5)


bundled = pytest.mark.skipif(not BUNDLED.exists(), reason="no bundled model in this checkout")


def _damaged(kind: str, preset: str):
    from restorekit.evaluate import make_case
    from restorekit.synth import synthesize_music, synthesize_voice

    rng = np.random.default_rng(8)
    clean = (synthesize_music(sample_rate=22050, duration=4.0, rng=rng, channels=1)
             if kind == "music" else
             synthesize_voice(sample_rate=22050, duration=4.0, rng=rng).mono())
    return make_case(clean, preset=preset, seed=3, lead_in=0.0)


def _gain(case) -> float:
    from restorekit.metrics import si_sdr

    done = NeuralDenoise("bundled").restore(case.degraded)
    return (si_sdr(case.clean.samples, done.audio.samples, 22050)
            - si_sdr(case.clean.samples, case.degraded.samples, 22050))


@bundled
@pytest.mark.parametrize("preset", ["default", "heavy"])
def test_bundled_model_restores_a_damaged_voice(preset):
    assert _gain(_damaged("voice", preset)) > 2.0  # measured +2.5 and +3.9 dB (spectral model)


@bundled
@pytest.mark.xfail(strict=True, reason="known loss of the bundled model: on the "
                   "synthesised drums and piano at the light preset it costs 4.1 dB "
                   "(reports/benchmarks.md, bench_neural); a better model must flip this")
def test_bundled_model_leaves_lightly_damaged_drums_better():
    assert _gain(_damaged("music", "light")) > 0.0


@bundled
@pytest.mark.shared_data
def test_bundled_model_takes_impulses_out_of_a_real_78(shared_data):
    from restorekit.analysis import detect_impulses
    from restorekit.io import load

    path = shared_data / "real78" / "neapolitan_song_abete_fronne_e_limone_1921_excerpt.mp3"
    if not path.exists():
        pytest.skip("the Neapolitan excerpt is not in ../shared/data")
    audio = load(path, start=20.0, duration=8.0)
    out = NeuralDenoise("bundled").restore(audio).audio
    before = len(detect_impulses(audio).joint())
    after = len(detect_impulses(out).joint())
    assert after < 0.8 * before


def test_a_chunk_too_short_for_the_model_is_one_clear_error(small_model):
    from restorekit.errors import ParameterError

    reach = small_model.receptive_field / small_model.config.sample_rate
    with pytest.raises(ParameterError, match="too short for this model"):
        NeuralDenoise(small_model, chunk_seconds=2 * reach, overlap_seconds=0.0)
