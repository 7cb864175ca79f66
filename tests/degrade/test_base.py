import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.degrade import Clicks, Compose, Crackle, Hum, OneOf, SomeOf, SurfaceNoise
from restorekit.errors import ParameterError

RATE = 22050


@pytest.fixture
def music(tone):
    return tone(440, sample_rate=RATE, duration=1.0, amplitude=0.3, channels=2)


def test_same_generator_state_gives_bit_identical_results(music):
    chain = Compose([Clicks(), Crackle(), SurfaceNoise()])
    one = chain(music, np.random.default_rng(3))
    two = chain(music, np.random.default_rng(3))
    other = chain(music, np.random.default_rng(4))
    np.testing.assert_array_equal(one.audio.samples, two.audio.samples)
    assert not np.array_equal(one.audio.samples, other.audio.samples)
    assert one.truth.rng_state == np.random.default_rng(3).bit_generator.state


def test_a_recorded_state_replays_its_step(music):
    chain = Compose([Crackle(), Clicks()])
    result = chain(music, np.random.default_rng(9))
    clicks_truth = result.truth.children[1]
    replay = np.random.default_rng()
    replay.bit_generator.state = clicks_truth.rng_state
    again = Clicks()(music.with_samples(music.samples + result.truth.children[0].added), replay)
    np.testing.assert_array_equal(again.truth.added, clicks_truth.added)


def test_probability_skips_and_records_it(music):
    skipped = Clicks(p=0.0)(music, np.random.default_rng(0))
    assert skipped.audio is music and not skipped.truth.applied
    assert Clicks(p=1.0)(music, np.random.default_rng(0)).truth.applied
    runs = [Clicks(p=0.3)(music, np.random.default_rng(s)).truth.applied for s in range(400)]
    assert np.mean(runs) == pytest.approx(0.3, abs=0.07)


def test_compose_adds_up_and_walks_in_order(music):
    d = Compose([Clicks(), Hum(), Crackle()])(music, np.random.default_rng(1))
    assert [t.name for t in d.truth.walk()] == ["compose", "clicks", "hum", "crackle"]
    np.testing.assert_allclose(d.audio.samples, music.samples + d.added_total(), atol=1e-6)
    np.testing.assert_allclose(d.truth.added, d.added_total(), atol=1e-6)
    assert len(d.truth.find("clicks")) == 1 and d.truth.find("thumps") == []


def test_one_of_and_some_of_choose_as_told(music):
    parts = [Clicks(), Crackle(), Hum()]
    chosen = [OneOf(parts, weights=[0, 1, 0])(music, np.random.default_rng(s))
              .truth.children[0].name for s in range(5)]
    assert chosen == ["crackle"] * 5
    for seed in range(10):
        truth = SomeOf((1, 2), parts)(music, np.random.default_rng(seed)).truth
        names = [c.name for c in truth.children]
        assert 1 <= len(names) <= 2
        assert names == sorted(names, key=["clicks", "crackle", "hum"].index)


def test_validation():
    with pytest.raises(ParameterError, match="p must"):
        Clicks(p=1.5)
    with pytest.raises(ParameterError, match="non-empty"):
        Compose([])
    with pytest.raises(ParameterError, match="weights"):
        OneOf([Clicks()], weights=[-1])
    with pytest.raises(ParameterError, match="needs an Audio"):
        Clicks()(np.zeros(10), np.random.default_rng(0))
    with pytest.raises(ParameterError, match="numpy.random.Generator"):
        Clicks()(Audio(np.zeros(100), RATE), 7)
