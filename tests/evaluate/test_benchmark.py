import math

import numpy as np
import pytest

from restorekit.errors import ParameterError
from restorekit.evaluate import (
    COLUMNS,
    DEFAULT_METRICS,
    CommandMethod,
    RestorerMethod,
    benchmark,
    identity,
    make_case,
)
from restorekit.metrics import get_metric


@pytest.fixture(scope="module")
def cases(music):
    return [make_case(music, preset=p, seed=s, source="synth")
            for p, s in (("light", 1), ("heavy", 2))]


def test_identity_changes_nothing(cases):
    table = benchmark([identity()], cases)
    assert table.columns == COLUMNS
    assert len(table) == len(cases) * len(DEFAULT_METRICS)
    for row in table:
        assert row["after"] == row["before"], row
        assert row["delta"] == 0.0
        assert row["note"] == ""
        assert row["realtime_factor"] > 1 and row["peak_memory_mb"] > 0
    # doing nothing repairs no clicks: click F1 "before" is 0 when a case has clicks
    assert table.filter(metric="click_f1").column("before") == [0.0, 0.0]


def test_before_is_the_degraded_input_against_the_clean(cases):
    table = benchmark([identity()], cases, metrics=("si_sdr",))
    case = cases[1]
    expected = get_metric("si_sdr")(case.clean, case.degraded, case.sample_rate)
    assert table.filter(case=case.name).rows[0]["before"] == expected


def test_a_destructive_restorer_scores_worse(cases, zeros, halve):
    table = benchmark([RestorerMethod(zeros), RestorerMethod(halve)], cases,
                      metrics=("si_sdr", "snr"), say=None)
    sdr = table.filter(method="zeros", metric="si_sdr")
    assert all(d < 0 for d in sdr.column("delta"))
    # scaling leaves SI-SDR alone but not SNR
    halved = table.filter(method="halve")
    np.testing.assert_allclose(halved.filter(metric="si_sdr").column("delta"), 0, atol=1e-4)
    assert all(d < 0 for d in halved.filter(metric="snr").column("delta"))


def test_clicks_are_found_in_what_was_removed(cases):
    case = cases[1]

    class Declick:
        """Takes out exactly the clicks the simulator added (an oracle declicker)."""

        name = "exact"

        def restore(self, audio):
            from restorekit.restore.base import Identity

            clicks = case.truth.find("clicks")[0].added
            return Identity().restore(audio.with_samples(audio.samples - clicks))

    table = benchmark([RestorerMethod(Declick())], [case], metrics=("click_f1", "snr"))
    f1 = table.filter(metric="click_f1").rows[0]
    assert f1["before"] == 0.0 and f1["after"] > 0.8
    assert table.filter(metric="snr").rows[0]["delta"] > 0


def test_skipped_and_failing_methods_are_recorded_once(cases, capsys):
    ghost = CommandMethod("ghost", ["no-such-restorer-xyz", "{input}", "{output}"])
    failing = RestorerMethod(_Failing(), name="failing")
    table = benchmark([ghost, failing], cases, metrics=("snr", "lsd"))
    err = capsys.readouterr().err
    assert err.count("skipping ghost") == 1
    assert err.count("failing failed") == 2          # once per case it failed on
    skipped = table.filter(method="ghost")
    assert len(skipped) == 4 and all(math.isnan(v) for v in skipped.column("after"))
    assert all(n.startswith("skipped: ") and "no-such-restorer-xyz" in n
               for n in skipped.column("note"))
    assert all(n.startswith("failed: ") for n in table.filter(method="failing").column("note"))
    with pytest.raises(ParameterError, match="nope"):
        benchmark([failing], cases, metrics=("snr",), errors="raise", say=None)


def test_names_must_be_unique(cases):
    with pytest.raises(ParameterError, match="unique method"):
        benchmark([identity(), identity()], cases)


def test_the_summary_pivot(cases, zeros):
    table = benchmark([identity(), RestorerMethod(zeros)], cases, metrics=("snr", "lsd"),
                      say=None)
    wide = table.pivot(value="delta")
    assert wide.columns == ("method", "snr", "lsd")
    assert [r["method"] for r in wide.rows] == ["identity", "zeros"]
    assert wide.rows[0]["snr"] == 0.0 and wide.rows[1]["snr"] < 0
    text = table.to_markdown(pivot=True, value="delta")
    assert text.splitlines()[2].startswith("| identity")


class _Failing:
    name = "failing"

    def restore(self, audio):
        raise ParameterError("nope")
