"""The degradation protocol, checked for every degradation restorekit ships."""

import functools
import json

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.degrade import (
    AdditiveNoise,
    BandLimit,
    Clicks,
    Crackle,
    Hum,
    Mp3,
    Resample,
    Rumble,
    Saturation,
    SurfaceNoise,
    Thumps,
    WowFlutter,
)

SR = 44100
# event-driven ones get rates high enough that two seconds always hold events
FACTORIES = [Clicks, Crackle, functools.partial(Thumps, thump_rate=5.0), SurfaceNoise, Rumble,
             Hum, BandLimit, WowFlutter, Saturation, Mp3, Resample, AdditiveNoise]


def _name(factory):
    return getattr(factory, "func", factory).__name__


@pytest.fixture
def noise(rng) -> Audio:
    """Two seconds of stereo white noise at a moderate level."""
    return Audio(0.2 * rng.standard_normal((2, 2 * SR)), SR)


@pytest.mark.parametrize("make", FACTORIES, ids=_name)
def test_same_seed_gives_the_same_output_and_truth(make, noise):
    first = make()(noise, np.random.default_rng(7))
    second = make()(noise, np.random.default_rng(7))
    np.testing.assert_array_equal(first.audio.samples, second.audio.samples)
    assert first.truth.params == second.truth.params and first.truth.applied
    assert first.truth.events.keys() == second.truth.events.keys()
    for key, column in first.truth.events.items():
        np.testing.assert_array_equal(column, second.truth.events[key])


@pytest.mark.parametrize("make", FACTORIES, ids=_name)
def test_different_seeds_give_different_output(make, noise):
    # Mp3 draws from 10 bit rates, so two seeds may agree; over four they do not.
    runs = [make()(noise, np.random.default_rng(seed)) for seed in range(4)]
    assert any(not np.array_equal(r.audio.samples, runs[0].audio.samples) for r in runs[1:])


@pytest.mark.parametrize("make", FACTORIES, ids=_name)
def test_p_zero_returns_the_input(make, noise, rng):
    out = make(p=0.0)(noise, rng)
    assert out.audio is noise and out.clean is noise
    assert not out.truth.applied


@pytest.mark.parametrize("make", FACTORIES, ids=_name)
@pytest.mark.parametrize("channels", [1, 2, 3])
def test_output_is_finite_float32_and_shaped_like_the_input(make, channels, rng):
    audio = Audio(0.3 * rng.standard_normal((channels, 5000)), SR)
    out = make()(audio, rng)
    assert out.audio.samples.shape == audio.samples.shape
    assert out.audio.samples.dtype == np.float32
    assert np.isfinite(out.audio.samples).all()
    assert out.audio.sample_rate == SR
    json.dumps(out.truth.params)  # JSON-friendly
    if make().additive:
        np.testing.assert_array_equal(out.audio.samples, audio.samples + out.truth.added)
    else:
        assert out.truth.added is None


@pytest.mark.parametrize("make", FACTORIES, ids=_name)
@pytest.mark.parametrize("rate", [8000, 44100, 96000])
@pytest.mark.parametrize("frames", [1, 2, 7])
def test_very_short_inputs_survive(make, rate, frames):
    audio = Audio(np.full((2, frames), 0.3), rate)
    out = make()(audio, np.random.default_rng(0))
    assert out.audio.samples.shape == (2, frames) and np.isfinite(out.audio.samples).all()
