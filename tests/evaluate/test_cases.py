import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.errors import ParameterError
from restorekit.evaluate import Case, click_positions, make_case


def test_make_case_keeps_the_clean_reference_and_the_true_clicks(music, case):
    assert case.name == "synth-default-5"
    assert (case.preset, case.source, case.seed) == ("default", "synth", 5)
    assert case.degraded.samples.shape == music.samples.shape
    gain = case.truth.params["gain"]
    np.testing.assert_allclose(case.clean.samples, music.samples * gain, rtol=1e-6)
    clicks = case.truth.find("clicks")[0].events["position"]
    np.testing.assert_array_equal(case.clicks, np.sort(clicks))
    assert case.clicks.size > 0 and case.clicks.dtype == np.int64
    assert not case.clicks.flags.writeable
    # crackle is not counted unless asked for
    crackle = case.truth.find("crackle")[0].events["position"]
    both = click_positions(case.truth, impulses=("clicks", "crackle"))
    assert both.size == case.clicks.size + crackle.size


def test_make_case_is_reproducible_and_seeded(music):
    a, b = make_case(music, seed=1), make_case(music, seed=1)
    np.testing.assert_array_equal(a.degraded.samples, b.degraded.samples)
    assert not np.array_equal(a.degraded.samples, make_case(music, seed=2).degraded.samples)
    assert a.name == "audio-default-1"


def test_make_case_accepts_custom_parameters_and_refuses_unknown_presets(music):
    custom = make_case(music, preset={"impulse_rate": 40.0}, seed=3, name="dense")
    assert (custom.name, custom.preset) == ("dense", "custom")
    with pytest.raises(ParameterError, match="unknown preset"):
        make_case(music, preset="worn", seed=1)


def test_case_checks_its_signals(music):
    short = Audio(music.samples[:, :100], music.sample_rate)
    with pytest.raises(ParameterError, match="same shape"):
        Case(name="x", degraded=music, clean=short, clicks=[])
    with pytest.raises(ParameterError, match="click positions"):
        Case(name="x", degraded=music, clean=music, clicks=[music.frames])
