import numpy as np

from restorekit.dsp.arrays import covered, merge_spans, true_runs


def test_true_runs_finds_and_joins_runs():
    mask = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], bool)
    assert true_runs(mask) == [(1, 3), (5, 6), (7, 10)]
    assert true_runs(mask, join=2) == [(1, 3), (5, 10)]
    assert true_runs(mask, join=3) == [(1, 10)]
    assert true_runs(np.zeros(5, bool)) == []
    assert true_runs(np.ones(3, bool)) == [(0, 3)]


def test_covered_is_the_inverse_of_true_runs():
    mask = np.array([0, 1, 1, 0, 0, 1, 0, 1, 1, 1], bool)
    runs = true_runs(mask)
    assert (covered(*np.array(runs).T, mask.size) == mask).all()
    # overlapping spans, spans past either end, and an empty span
    spans = covered(np.array([-3, 2, 4, 6]), np.array([1, 5, 4, 20]), 8)
    assert spans.tolist() == [True, False, True, True, True, False, True, True]


def test_merge_spans_sorts_clips_and_joins():
    starts, ends = merge_spans(np.array([50, -5, 10, 12]), np.array([60, 3, 12, 20]), gap=2,
                               size=55)
    assert starts.tolist() == [0, 10, 50] and ends.tolist() == [3, 20, 55]
