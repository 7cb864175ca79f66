"""Scoring click detection and click removal.

The click metrics compare two lists of event positions in samples (true and detected
clicks): an estimated event is a hit when it lies within a tolerance of a true one, and
each event can be part of only one hit. :func:`impulse_removal_rate` instead compares
signals: of the impulses a degradation added, how many did the restorer take out?
"""

from __future__ import annotations

import numpy as np

from restorekit.audio import check_sample_rate
from restorekit.checks import check_number
from restorekit.errors import ParameterError
from restorekit.metrics.checks import check_events, check_signal, check_signals, undefined
from restorekit.metrics.registry import register

__all__ = ["match_events", "click_precision", "click_recall", "click_f1",
           "impulse_removal_rate"]

# Robust standard deviation from the median absolute deviation: for Gaussian data the
# MAD is 0.6745 sigma, and unlike the plain standard deviation it ignores the impulses.
_MAD_TO_SIGMA = 1.4826


def match_events(reference: np.ndarray, estimate: np.ndarray, *,
                 tolerance: float) -> list[tuple[int, int]]:
    """Pair reference and estimated events one-to-one, nearest pairs first.

    All pairs at most ``tolerance`` samples apart are candidates. Taking them in order
    of distance (ties by reference index, then estimate index), a pair is kept when
    neither of its events is already paired. So two detections near one true click
    count as one hit and one false alarm.

    Parameters
    ----------
    reference, estimate : array_like
        1-D event positions in samples (whole, non-negative).
    tolerance : float
        Largest distance in samples at which two events still match (inclusive).

    Returns
    -------
    list of (int, int)
        ``(reference index, estimate index)`` of each matched pair.

    Notes
    -----
    Greedy matching can pair fewer events than the optimal bipartite matching that
    ``mir_eval.onset`` uses, but only when events crowd closer than twice the
    tolerance; clicks on a record are almost always sparser than that.
    """
    reference = check_events(reference, name="reference")
    estimate = check_events(estimate, name="estimate")
    order = np.argsort(estimate, kind="stable")
    sorted_estimate = estimate[order]
    lows = np.searchsorted(sorted_estimate, reference - tolerance, side="left")
    highs = np.searchsorted(sorted_estimate, reference + tolerance, side="right")
    candidates = [(abs(int(reference[i]) - int(estimate[j])), i, int(j))
                  for i in range(len(reference)) for j in order[lows[i]:highs[i]]]
    used_reference: set[int] = set()
    used_estimate: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_reference and j not in used_estimate:
            used_reference.add(i)
            used_estimate.add(j)
            pairs.append((i, j))
    return pairs


def _count_hits(reference, estimate, sample_rate: int,
                tolerance_ms: float) -> tuple[int, int, int]:
    """Return ``(hits, number of reference events, number of estimated events)``."""
    rate = check_sample_rate(sample_rate)
    tolerance_ms = check_number(tolerance_ms, name="tolerance_ms", low=0.0)
    ref = check_events(reference, name="reference")
    est = check_events(estimate, name="estimate")
    hits = len(match_events(ref, est, tolerance=tolerance_ms * rate / 1000.0))
    return hits, len(ref), len(est)


@register("click_precision", higher_is_better=True, unit="ratio", kind="events")
def click_precision(reference, estimate, sample_rate: int, *,
                    tolerance_ms: float = 1.0) -> float:
    """Fraction of detected clicks that hit a true click.

    Parameters
    ----------
    reference, estimate : array_like or object with ``positions`` or ``starts``
        True and detected event positions in samples (1-D, whole, non-negative; may be
        empty).
    sample_rate : int
        Sample rate in Hz, to turn ``tolerance_ms`` into samples.
    tolerance_ms : float
        Largest distance in milliseconds at which a detection still hits a true event
        (inclusive); events are paired one-to-one by :func:`match_events`.

    Returns
    -------
    float
        ``hits / len(estimate)``; 1.0 when there are no detections (none is false).
    """
    hits, _, n_estimate = _count_hits(reference, estimate, sample_rate, tolerance_ms)
    return hits / n_estimate if n_estimate else 1.0


@register("click_recall", higher_is_better=True, unit="ratio", kind="events")
def click_recall(reference, estimate, sample_rate: int, *, tolerance_ms: float = 1.0) -> float:
    """Fraction of true clicks hit by a detection.

    Parameters
    ----------
    reference, estimate : array_like or object with ``positions`` or ``starts``
        True and detected event positions in samples (1-D, whole, non-negative; may be
        empty).
    sample_rate : int
        Sample rate in Hz, to turn ``tolerance_ms`` into samples.
    tolerance_ms : float
        Largest distance in milliseconds at which a detection still hits a true event
        (inclusive); events are paired one-to-one by :func:`match_events`.

    Returns
    -------
    float
        ``hits / len(reference)``; 1.0 when there are no true clicks (none is missed).
    """
    hits, n_reference, _ = _count_hits(reference, estimate, sample_rate, tolerance_ms)
    return hits / n_reference if n_reference else 1.0


@register("click_f1", higher_is_better=True, unit="ratio", kind="events")
def click_f1(reference, estimate, sample_rate: int, *, tolerance_ms: float = 1.0) -> float:
    """F1 score of click detection: the harmonic mean of precision and recall.

    Parameters
    ----------
    reference, estimate : array_like or object with ``positions`` or ``starts``
        True and detected event positions in samples (1-D, whole, non-negative; may be
        empty).
    sample_rate : int
        Sample rate in Hz, to turn ``tolerance_ms`` into samples.
    tolerance_ms : float
        Largest distance in milliseconds at which a detection still hits a true event
        (inclusive); events are paired one-to-one by :func:`match_events`.

    Returns
    -------
    float
        ``2 hits / (len(reference) + len(estimate))``, which is ``2PR / (P + R)``
        rewritten so that it stays defined when a list is empty: 1.0 when both lists
        are empty, 0.0 when exactly one is.

    References
    ----------
    C. J. van Rijsbergen, Information Retrieval, 2nd ed., Butterworths, 1979, ch. 7.
    """
    hits, n_reference, n_estimate = _count_hits(reference, estimate, sample_rate,
                                                tolerance_ms)
    total = n_reference + n_estimate
    return 2.0 * hits / total if total else 1.0


def _spans(mask: np.ndarray, merge: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) of each run of True, joining runs less than ``merge``
    samples apart."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    starts, stops = edges[0::2], edges[1::2]
    if starts.size == 0:
        return starts, stops
    separate = starts[1:] - stops[:-1] >= merge
    return starts[np.r_[True, separate]], stops[np.r_[separate, True]]


@register("impulse_removal_rate", higher_is_better=True, unit="ratio")
def impulse_removal_rate(reference, estimate, sample_rate: int, *, degraded=None,
                         threshold: float | None = None, merge_ms: float = 1.0,
                         removal_fraction: float = 0.1) -> float:
    """Fraction of the impulses added to a clean signal that the restoration removed.

    The impulses are found in ``degraded - reference``: runs of samples whose magnitude
    exceeds ``threshold``, with runs less than ``merge_ms`` apart joined into one event
    (a click's ringing crosses zero). An event counts as removed when the largest
    ``|estimate - reference|`` within its span is below ``removal_fraction`` of the
    largest ``|degraded - reference|`` there.

    Parameters
    ----------
    reference : numpy.ndarray or Audio
        The clean signal.
    estimate : numpy.ndarray or Audio
        The restored signal, the same shape.
    sample_rate : int
        Sample rate in Hz.
    degraded : numpy.ndarray or Audio
        Required: the clean signal with impulses added, the same shape.
    threshold : float, optional
        Absolute level above which ``|degraded - reference|`` is an impulse. By default
        4 times a robust standard deviation of that difference (1.4826 times its median
        absolute deviation), so other added noise is not mistaken for impulses; if the
        difference is zero outside the impulses, every non-zero sample is impulse.
    merge_ms : float
        Runs closer than this many milliseconds are one event.
    removal_fraction : float
        An event is removed when its peak error falls below this fraction of its peak, in
        (0, 1].

    Returns
    -------
    float
        ``removed / events``, pooled over channels. NaN with a
        :class:`~restorekit.errors.RestorekitWarning` when there are no impulses.

    References
    ----------
    S. J. Godsill and P. J. W. Rayner, Digital Audio Restoration, Springer, 1998, ch. 5
    (impulses as additive localised disturbances); the MAD scale estimate follows
    F. R. Hampel, "The influence curve and its role in robust estimation", J. American
    Statistical Association 69 (346), 1974, pp. 383-393.
    """
    if degraded is None:
        raise ParameterError("impulse_removal_rate needs degraded=, the clean reference "
                             "with the impulses added.")
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    noisy = check_signal(degraded, rate, name="degraded")
    if noisy.shape != ref.shape:
        raise ParameterError(f"degraded must have the reference's shape {ref.shape}, got "
                             f"{noisy.shape}.")
    if threshold is not None:
        threshold = check_number(threshold, name="threshold", low=0.0, low_open=True)
    merge = check_number(merge_ms, name="merge_ms", low=0.0) * rate / 1000.0
    removal_fraction = check_number(removal_fraction, name="removal_fraction", low=0.0,
                                    high=1.0, low_open=True)
    events = removed = 0
    for clean, restored, impulsive in zip(ref, est, noisy, strict=True):
        added = np.abs(impulsive - clean)
        residual = np.abs(restored - clean)
        level = threshold
        if level is None:
            difference = impulsive - clean
            level = 4.0 * _MAD_TO_SIGMA * np.median(np.abs(difference - np.median(difference)))
        for start, stop in zip(*_spans(added > level, merge), strict=True):
            events += 1
            peak_left = residual[start:stop].max()
            removed += int(peak_left < removal_fraction * added[start:stop].max())
    if events == 0:
        return undefined("impulse_removal_rate", "degraded holds no impulses above the "
                                                 "threshold")
    return removed / events
