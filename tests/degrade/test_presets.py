import numpy as np
import pytest

from restorekit.degrade import PRESETS, random_severity, simulate_vinyl_artifacts
from restorekit.dsp import true_peak
from restorekit.errors import ParameterError

RATE = 44100


def test_presets_carry_the_documented_values():
    assert PRESETS == {
        "light": {"impulse_rate": 5.0, "impulse_amplitude": (0.05, 0.3),
                  "surface_noise_level": (0.01, 0.02), "crackle_level": (0.005, 0.015)},
        "default": {"impulse_rate": 10.0, "impulse_amplitude": (0.1, 0.5),
                    "surface_noise_level": (0.015, 0.03), "crackle_level": (0.01, 0.02)},
        "heavy": {"impulse_rate": 25.0, "impulse_amplitude": (0.2, 0.8),
                  "surface_noise_level": (0.03, 0.05), "crackle_level": (0.02, 0.04)},
    }


@pytest.mark.parametrize("preset", list(PRESETS))
def test_damage_adds_up_and_fits_under_the_headroom(stereo_music, preset):
    d = simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(1), **PRESETS[preset])
    np.testing.assert_allclose(d.audio.samples, d.clean.samples + d.added_total(), atol=2e-6)
    assert 20 * np.log10(true_peak(d.audio.samples, sample_rate=RATE)) <= -1.0 + 1e-4
    gain = d.truth.params["gain"]
    np.testing.assert_allclose(d.clean.samples, stereo_music.samples * gain, rtol=1e-6)
    assert [c.name for c in d.truth.children] == ["clicks", "crackle", "surface_noise"]
    assert np.isfinite(d.audio.samples).all()


def test_options_add_their_parts_and_the_clean_follows_the_response(stereo_music):
    d = simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(2), thump_rate=0.5,
                                 rumble_level=0.005, hum_level_db=-50, band_limit=True,
                                 wow_flutter=True)
    names = [c.name for c in d.truth.children]
    assert names == ["band_limit", "wow_flutter", "clicks", "crackle", "surface_noise",
                     "thumps", "rumble", "hum"]
    np.testing.assert_allclose(d.audio.samples, d.clean.samples + d.added_total(), atol=2e-6)
    assert not np.allclose(d.clean.samples, stereo_music.samples * d.truth.params["gain"])


def test_same_seed_same_damage(stereo_music):
    def run(seed):
        return simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(seed)).audio

    np.testing.assert_array_equal(run(5).samples, run(5).samples)
    assert not np.array_equal(run(5).samples, run(6).samples)


def test_unknown_and_bad_parameters(stereo_music):
    with pytest.raises(ParameterError, match="unknown parameters"):
        simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(0), clicks=3)
    with pytest.raises(ParameterError, match="headroom_db"):
        simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(0), headroom_db=3)
    with pytest.raises(ParameterError, match="impulse_rate"):
        simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(0), impulse_rate=-2)


def test_random_severity_covers_the_training_range(stereo_music):
    draws = [random_severity(np.random.default_rng(s)) for s in range(300)]
    rates = np.array([d["impulse_rate"] for d in draws])
    amp_max = np.array([d["impulse_amplitude"][1] for d in draws])
    assert rates.min() >= 5 and rates.max() <= 20 and np.ptp(rates) > 13
    assert amp_max.min() >= 0.3 and amp_max.max() <= 0.8
    assert 0.15 < np.mean([d["thump_rate"] > 0 for d in draws]) < 0.35
    simulate_vinyl_artifacts(stereo_music.slice(0, 0.5), rng=np.random.default_rng(0),
                             **draws[0])


@pytest.mark.slow
def test_sixty_seconds_at_the_default_preset_match_its_numbers(tone):
    music = tone(220, sample_rate=RATE, duration=60.0, amplitude=0.1, channels=2)
    d = simulate_vinyl_artifacts(music, rng=np.random.default_rng(60), **PRESETS["default"])
    clicks = d.truth.find("clicks")[0].events
    assert len(clicks["start"]) / 60 == pytest.approx(10.0, rel=0.1)
    assert np.mean(clicks["polarity"] > 0) == pytest.approx(0.7, abs=0.05)
    noise = d.truth.find("surface_noise")[0]
    level = noise.params["level"] * d.truth.params["gain"]
    assert np.sqrt(np.mean(noise.added.astype(np.float64) ** 2)) == pytest.approx(level,
                                                                                   rel=1e-3)
    assert 0.015 <= noise.params["level"] <= 0.03
