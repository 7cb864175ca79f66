"""Cases carry a lead-in groove to fit on, and crackle repairs are neither hit nor miss."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.evaluate import RestorerMethod, benchmark, make_case
from restorekit.evaluate.methods import Outcome
from restorekit.restore.base import Restorer

RATE = 22050


class Remembers(Restorer):
    """Records the noise it was fitted on; changes nothing."""

    name = "remembers"
    fitted: list = []

    def fit(self, noise):
        type(self).fitted.append(noise)
        return self

    def _process(self, audio, *, offset=0):
        return audio.samples.astype(np.float64), None, {}


def test_the_lead_in_is_damaged_silence_and_restorers_are_fitted_on_it(music):
    case = make_case(music, preset="heavy", seed=3, source="synth", lead_in=1.0)
    assert case.noise.frames == RATE and case.noise.channels == music.channels
    assert 0.0 < np.sqrt(np.mean(case.noise.samples ** 2)) < 0.2
    assert case.neutral.size > 50  # the crackle
    Remembers.fitted.clear()
    method = RestorerMethod(Remembers())
    method.run(case.degraded, case=case)
    method.run(case.degraded, case=case)
    assert len(Remembers.fitted) == 2 and Remembers.fitted[0] is case.noise
    assert make_case(music, preset="light", seed=3, lead_in=0).noise is None


class Reports:
    """A method that reports given click positions."""

    def __init__(self, name, positions):
        self.name, self.positions = name, positions

    def available(self):
        return None

    def run(self, audio, *, case=None):
        return Outcome(audio=audio, events=np.asarray(self.positions, dtype=np.int64),
                       seconds=1e-3, peak_memory=0, memory="", report={})


def test_crackle_repairs_do_not_count_against_click_precision(music):
    case = make_case(music, preset="heavy", seed=3, source="synth")
    away = case.neutral[np.min(np.abs(case.neutral[:, None] - case.clicks[None, :]),
                               axis=1) > 200]
    methods = [Reports("clicks only", case.clicks),
               Reports("clicks and crackle", np.sort(np.r_[case.clicks, away[:20]])),
               Reports("clicks and music", np.sort(np.r_[case.clicks, away[:20] + 120]))]
    table = benchmark(methods, [case], metrics=("click_f1",))
    f1 = {r["method"]: r["after"] for r in table.rows}
    assert f1["clicks only"] == pytest.approx(1.0)
    assert f1["clicks and crackle"] == pytest.approx(1.0)
    assert f1["clicks and music"] < 0.95
