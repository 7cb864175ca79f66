"""Properties every degradation keeps, for any seed, length and channel count."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from restorekit.audio import Audio
from restorekit.degrade import (
    PRESETS,
    AdditiveNoise,
    BandLimit,
    Clicks,
    Crackle,
    Hum,
    Resample,
    Rumble,
    Saturation,
    SurfaceNoise,
    Thumps,
    WowFlutter,
    simulate_vinyl_artifacts,
)

ADDITIVE = [Clicks(impulse_rate=50), Crackle(), Thumps(thump_rate=5), SurfaceNoise(), Rumble(),
            Hum(), AdditiveNoise()]
OTHERS = [BandLimit(), WowFlutter(), Saturation(), Resample()]
EVENTS = ("clicks", "crackle", "thumps")
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

cases = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "frames": st.integers(1, 30000),
    "channels": st.sampled_from([1, 2]),
    "rate": st.sampled_from([16000, 22050, 44100, 48000]),
    "level": st.floats(0.0, 0.9),
})


def _music(case) -> Audio:
    rng = np.random.default_rng(case["seed"] ^ 0x5EED)
    x = case["level"] * np.tanh(rng.standard_normal((case["channels"], case["frames"])))
    return Audio(x, case["rate"])


@pytest.mark.parametrize("degradation", ADDITIVE, ids=lambda d: d.name)
@SETTINGS
@given(case=cases)
def test_additive_degradations_add_exactly_what_the_truth_says(degradation, case):
    audio = _music(case)
    one = degradation(audio, np.random.default_rng(case["seed"]))
    two = degradation(audio, np.random.default_rng(case["seed"]))
    np.testing.assert_array_equal(one.audio.samples, two.audio.samples)
    assert np.isfinite(one.audio.samples).all()
    assert one.truth.added.shape == audio.samples.shape
    np.testing.assert_array_equal(one.audio.samples, audio.samples + one.truth.added)
    if degradation.name in EVENTS:
        events = one.truth.events
        covered = np.zeros(audio.frames, bool)
        for start, length in zip(events["start"], events["length"], strict=True):
            covered[start: start + length] = True
        assert not np.any(one.truth.added[:, ~covered])
        assert np.all(np.abs(one.truth.added).max(axis=0)[events["position"]] > 0)
        assert np.all(events["position"] < audio.frames)


@pytest.mark.parametrize("degradation", OTHERS, ids=lambda d: d.name)
@SETTINGS
@given(case=cases)
def test_other_degradations_are_deterministic_finite_and_same_length(degradation, case):
    audio = _music(case)
    one = degradation(audio, np.random.default_rng(case["seed"]))
    two = degradation(audio, np.random.default_rng(case["seed"]))
    np.testing.assert_array_equal(one.audio.samples, two.audio.samples)
    assert one.audio.samples.shape == audio.samples.shape
    assert np.isfinite(one.audio.samples).all()


@pytest.mark.parametrize("preset", list(PRESETS))
@SETTINGS
@given(case=cases)
def test_presets_add_up_and_never_exceed_the_headroom(preset, case):
    from restorekit.dsp import true_peak

    audio = _music(case)
    d = simulate_vinyl_artifacts(audio, rng=np.random.default_rng(case["seed"]),
                                 **PRESETS[preset])
    np.testing.assert_allclose(d.audio.samples, d.clean.samples + d.added_total(), atol=2e-6)
    assert true_peak(d.audio.samples, sample_rate=audio.sample_rate) <= 10 ** (-1 / 20) + 1e-6
    again = simulate_vinyl_artifacts(audio, rng=np.random.default_rng(case["seed"]),
                                     **PRESETS[preset])
    np.testing.assert_array_equal(d.audio.samples, again.audio.samples)
