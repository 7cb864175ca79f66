import numpy as np
import pytest

from restorekit.analysis.events import ImpulseEvents
from restorekit.evaluate import CaseMethod, Method, MethodError, Outcome, RestorerMethod
from restorekit.restore.base import Identity, Restorer


class Marks(Restorer):
    """Reports one click per channel at frame 100 (and 102), changes nothing."""

    name = "marks"

    def _process(self, audio, *, offset=0):
        n = 2
        events = ImpulseEvents(sample_rate=audio.sample_rate, frames=audio.frames,
                               channels=audio.channels, start=np.array([99, 101]),
                               width=np.array([3, 3]), position=np.array([100, 102]),
                               peak=np.ones(n), polarity=np.ones(n, int),
                               channel=np.array([0, 1]), ringing_ms=np.zeros(n),
                               score=np.ones(n))
        return audio.samples.astype(np.float64), events, {"found": 2}


def test_restorer_method_times_and_traces(case):
    method = RestorerMethod(Identity())
    assert isinstance(method, Method) and method.name == "identity"
    assert method.available() is None
    out = method.run(case.degraded)
    np.testing.assert_array_equal(out.audio.samples, case.degraded.samples)
    assert out.events is None                 # reports none: scored from what it removed
    assert out.seconds > 0 and out.memory == "python-heap"
    # restore() makes at least a float64 copy of the input and a float32 output
    assert out.peak_memory >= case.degraded.samples.nbytes * 2


def test_reported_events_are_merged_across_channels(case):
    out = RestorerMethod(Marks()).run(case.degraded)
    np.testing.assert_array_equal(out.events, [100])
    assert out.report["found"] == 2
    assert RestorerMethod(Marks(), events="removed").run(case.degraded).events is None
    none = RestorerMethod(Identity(), events="reported").run(case.degraded)
    assert none.events.size == 0


def test_untraced_runs_report_no_memory(case):
    out = RestorerMethod(Identity(), trace_memory=False).run(case.degraded)
    assert out.peak_memory is None and out.memory == ""


def test_missing_requirements_are_named():
    reason = RestorerMethod(Identity(), requires=("no_such_module_xyz",)).available()
    assert "no_such_module_xyz" in reason and "pip install" in reason


def test_case_method_builds_from_the_case(case):
    seen = []

    def make(c):
        seen.append(c.name)
        return Identity()

    method = CaseMethod("oracle-like", make)
    out = method.run(case.degraded, case=case)
    assert seen == [case.name] and isinstance(out, Outcome)
    with pytest.raises(MethodError, match="case=case"):
        method.run(case.degraded)


def test_case_method_reports_why_it_cannot_run():
    method = CaseMethod("later", lambda c: Identity(), available=lambda: "not written yet")
    assert method.available() == "not written yet"
