"""Click precision/recall/F1 and impulse_removal_rate against hand-counted cases."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from restorekit.errors import ParameterError, RestorekitWarning
from restorekit.metrics import (
    click_f1,
    click_precision,
    click_recall,
    impulse_removal_rate,
    match_events,
)

RATE = 48000  # 1 ms is exactly 48 samples


def scores(reference, estimate, **options):
    return tuple(metric(reference, estimate, RATE, **options)
                 for metric in (click_precision, click_recall, click_f1))


def test_tolerance_is_inclusive_at_its_edge():
    # 48 samples away is within 1 ms; 49 is not. Two hits out of three each way.
    reference = [1000, 5000, 9000]
    estimate = [1000, 5048, 9049]
    assert scores(reference, estimate) == pytest.approx((2 / 3, 2 / 3, 2 / 3))


def test_a_wider_tolerance_takes_in_the_third():
    assert scores([1000, 5000, 9000], [1000, 5048, 9049], tolerance_ms=2.0) == (1.0, 1.0, 1.0)


def test_two_detections_near_one_click_count_once():
    # One hit, one false alarm: P = 1/2, R = 1, F1 = 2 * 1 / (1 + 2).
    assert scores([1000], [990, 1010]) == pytest.approx((0.5, 1.0, 2 / 3))


def test_nearest_pairs_are_matched_first():
    # Candidates: (1000, 1030) 30 apart, (1000, 960) 40, (1040, 1030) 10. Nearest first
    # pairs 1040 with 1030, which leaves 960 for 1000: two hits. Pairing each click in
    # turn with its nearest detection would give 1000 -> 1030 and only one hit.
    reference = np.array([1000, 1040])
    estimate = np.array([1030, 960])
    assert match_events(reference, estimate, tolerance=48) == [(1, 0), (0, 1)]
    assert scores(reference, estimate) == (1.0, 1.0, 1.0)


def test_empty_lists():
    assert scores([], []) == (1.0, 1.0, 1.0)      # nothing to find, nothing claimed
    assert scores([], [500]) == (0.0, 1.0, 0.0)   # one false alarm
    assert scores([500], []) == (1.0, 0.0, 0.0)   # one miss


def test_event_objects_with_positions_or_starts():
    detected = SimpleNamespace(positions=np.array([1000, 5048]))
    truth = SimpleNamespace(starts=np.array([1000, 5000, 9000]))
    assert scores(truth, detected) == pytest.approx((1.0, 2 / 3, 0.8))


@pytest.mark.parametrize("events, message", [
    ([[1, 2], [3, 4]], "1-D"),
    ([-5, 10], "non-negative whole"),
    ([10.5], "non-negative whole"),
    (["a"], "positions"),
])
def test_malformed_event_lists_are_rejected(events, message):
    with pytest.raises(ParameterError, match=message):
        click_f1([1, 2], events, RATE)


def test_a_negative_tolerance_is_rejected():
    with pytest.raises(ParameterError, match="tolerance_ms"):
        click_f1([1], [1], RATE, tolerance_ms=-1.0)


# -- impulse_removal_rate ---------------------------------------------------------------

CLICK = np.array([0.5, -0.4, 0.2])  # a three-sample click


@pytest.fixture
def clicked(make_tone):
    """A clean tone and the same tone with ten clicks, 0.1 s apart."""
    clean = make_tone(440.0, 16000, amplitude=0.3)
    clicks = np.zeros_like(clean)
    for position in range(800, 16000, 1600):
        clicks[position : position + 3] = CLICK
    return clean, clean + clicks, clicks


def test_half_of_the_impulses_removed(clicked):
    clean, degraded, clicks = clicked
    restored = clean.copy()
    restored[8000:] += clicks[8000:]  # the last five clicks stay
    assert impulse_removal_rate(clean, restored, 16000, degraded=degraded) == 0.5


def test_removal_means_below_a_tenth_of_the_peak(clicked):
    clean, degraded, clicks = clicked
    restored = clean + 0.09 * clicks  # 9 % left: removed
    assert impulse_removal_rate(clean, restored, 16000, degraded=degraded) == 1.0
    restored = clean + 0.2 * clicks  # 20 % left: not removed
    assert impulse_removal_rate(clean, restored, 16000, degraded=degraded) == 0.0
    assert impulse_removal_rate(clean, restored, 16000, degraded=degraded,
                                removal_fraction=0.25) == 1.0


def test_runs_closer_than_merge_ms_are_one_event(make_tone):
    # Two clicks 10 samples (0.6 ms) apart are one event; removing only one of them
    # leaves that event, the only one, in place.
    clean = make_tone(440.0, 16000, amplitude=0.3)
    degraded = clean.copy()
    degraded[4000] += 0.5
    degraded[4010] -= 0.5
    restored = clean.copy()
    restored[4010] -= 0.5
    assert impulse_removal_rate(clean, restored, 16000, degraded=degraded) == 0.0
    assert impulse_removal_rate(clean, restored, 16000, degraded=degraded,
                                merge_ms=0.5) == 0.5


def test_an_explicit_threshold_ignores_added_hiss(clicked, rng):
    clean, degraded, clicks = clicked
    hissy = degraded + 0.01 * rng.standard_normal(clean.size)
    restored = clean.copy()
    restored[:8000] += clicks[:8000]  # the first five clicks stay
    assert impulse_removal_rate(clean, restored, 16000, degraded=hissy,
                                threshold=0.1) == 0.5


def test_stereo_pools_the_events(clicked):
    clean, degraded, clicks = clicked
    restored = np.stack([clean, degraded])  # left fully restored, right untouched
    value = impulse_removal_rate(np.stack([clean, clean]), restored, 16000,
                                 degraded=np.stack([degraded, degraded]))
    assert value == 0.5


def test_no_impulses_gives_nan_and_a_warning(clicked):
    clean = clicked[0]
    with pytest.warns(RestorekitWarning, match="no impulses"):
        assert np.isnan(impulse_removal_rate(clean, clean, 16000, degraded=clean))


def test_degraded_is_required_and_checked(clicked):
    clean, degraded, _ = clicked
    with pytest.raises(ParameterError, match="degraded="):
        impulse_removal_rate(clean, clean, 16000)
    with pytest.raises(ParameterError, match="degraded must have"):
        impulse_removal_rate(clean, clean, 16000, degraded=degraded[:-1])
    with pytest.raises(ParameterError, match="threshold"):
        impulse_removal_rate(clean, clean, 16000, degraded=degraded, threshold=0.0)
