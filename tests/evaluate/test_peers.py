import shutil

import numpy as np
import pytest

from restorekit.evaluate import benchmark, peer_methods
from restorekit.evaluate.peers import (
    ffmpeg_adeclick,
    ffmpeg_adeclick_afftdn,
    grooveclean,
    noisereduce_nonstationary,
    noisereduce_stationary,
    oracle,
)

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not on PATH")


def test_the_peer_list():
    names = [m.name for m in peer_methods()]
    assert names == ["identity", "ffmpeg adeclick", "ffmpeg adeclick+afftdn",
                     "noisereduce stationary", "noisereduce non-stationary", "grooveclean"]


@needs_ffmpeg
@pytest.mark.parametrize("make", [ffmpeg_adeclick, ffmpeg_adeclick_afftdn])
def test_ffmpeg_rows(case, make):
    method = make()
    assert method.available() is None
    table = benchmark([method], [case], metrics=("snr", "click_f1"), say=None)
    assert table.column("note") == ["", ""]
    f1 = table.filter(metric="click_f1").rows[0]
    assert f1["after"] > 0                     # it repaired some of the true clicks
    assert table.rows[0]["memory"] == "rss" and table.rows[0]["seconds"] > 0


def test_a_missing_ffmpeg_is_skipped_with_its_reason(case):
    table = benchmark([ffmpeg_adeclick(program="/nonexistent/ffmpeg")], [case],
                      metrics=("snr",), say=None)
    assert table.rows[0]["note"].startswith("skipped: ")
    assert "not installed" in table.rows[0]["note"]
    assert np.isnan(table.rows[0]["after"])


@pytest.mark.parametrize("make", [noisereduce_stationary, noisereduce_nonstationary])
def test_noisereduce_rows(case, make):
    method = make()
    if method.available() is not None:
        pytest.skip(method.available())
    table = benchmark([method], [case], metrics=("snr", "lsd", "click_f1"), say=None)
    assert table.column("note") == ["", "", ""]
    assert all(np.isfinite(table.column("after")))
    assert table.rows[0]["memory"] == "python-heap" and table.rows[0]["peak_memory_mb"] > 0
    assert not np.array_equal(table.column("before"), table.column("after"))


@pytest.mark.slow
def test_grooveclean_row_runs_or_says_why(case):
    method = grooveclean(device="cpu")
    table = benchmark([method], [case], metrics=("snr", "click_f1"), say=None)
    reason = method.available()
    if reason is not None:
        assert table.rows[0]["note"] == f"skipped: {reason}"
        return
    assert table.column("note") == ["", ""]
    assert table.rows[0]["memory"] == "rss"
    assert np.isfinite(table.filter(metric="click_f1").rows[0]["after"])


def test_the_oracle_runs_from_the_case_truth(case):
    method = oracle()
    assert method.available() is None
    table = benchmark([method], [case], metrics=("snr", "click_f1"), say=None)
    assert table.column("note") == ["", ""]
    assert table.filter(metric="click_f1").rows[0]["after"] == 1.0
