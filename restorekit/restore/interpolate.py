"""Filling damaged spans by least-squares AR interpolation (LSAR).

A click destroys the music under it; what can be put back is the most probable music
given the samples around it. Modelled as an autoregressive process, that is the LSAR
interpolant of Janssen, Veldhuis & Vries (1986): the gap's samples that minimise the
prediction errors across it (Godsill & Rayner 1998, §5.2).

Two paths share that criterion:

- **Short spans** (clicks, crackle; up to ``long_ms``) use one AR model per block of
  the signal, all spans solved in one banded Cholesky call
  (:func:`restorekit.analysis.impulses.solve_gaps`). The models are fitted with
  the spans zeroed (a click's energy would otherwise dominate its block's spectrum),
  and, if asked (``refits``), fitted again on the repaired signal and the spans solved
  once more: Godsill & Rayner's iterative interpolation (§5.2.3). Long spans get this
  first fill too, so a click beside a scratch is not solved against its damage.
- **Long spans** (scratches) need a model that carries the music's pitch across the
  gap, or LSAR decays towards silence in the middle (the "smearing" a long repair
  hears as a dull patch). Each gets its own Burg model of high order, fitted on the
  clean music either side of it only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from restorekit.analysis.impulses import covered_indices, gap_peaks, solve_gaps
from restorekit.analysis.scores import block_residual, block_scales
from restorekit.dsp.ar import burg, fit_ar_blocks, lsar_interpolate
from restorekit.dsp.arrays import covered, merge_spans

__all__ = ["Repair", "repair_spans", "choose_extents", "span_sums", "PENALTY"]

#: Likelihood gain per repaired sample, in residual variances, that a repair must bring
#: (:func:`choose_extents`): the best of 1.0-3.0 on the restoration benchmark's light,
#: default and heavy cases together; lower repairs more music in clean transfers,
#: higher leaves faint clicks.
PENALTY = 1.75


def span_sums(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """``values[start:end].sum()`` for sorted, disjoint, non-empty spans, in one pass."""
    bounds = np.stack([starts, ends], axis=1).reshape(-1)
    if bounds[-1] < values.size:  # reduceat wants every bound inside the array
        return np.add.reduceat(values, bounds)[::2]
    return np.add.reduceat(np.append(values, 0.0), bounds)[::2]


def _residual_scale(x: np.ndarray, coefficients: np.ndarray, block: int) -> np.ndarray:
    """The prediction error's robust scale in each block (the last, if partial, takes
    the one before)."""
    scale = block_scales(block_residual(x, coefficients, block=block), block)
    return np.append(scale, np.full(len(coefficients) - scale.size, scale[-1]))


class _Gaps(NamedTuple):
    """Gaps to solve, as :func:`_gap_matched` lays them out: ``groups`` rows
    ``[first, last)``, their frames end to end (``where``), and the matched residual
    there (``matched``)."""

    groups: np.ndarray
    where: np.ndarray
    matched: np.ndarray


def _gap_matched(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, *,
                 coefficients: np.ndarray, block: int) -> _Gaps:
    """``A^T A x`` on the gaps, each group of gaps with the one model it is solved with.

    :func:`~restorekit.analysis.impulses.solve_gaps` solves each group of gaps (those
    closer than an AR order) with the model of the block the group starts in. Its
    right-hand side must come from that same model: a gap that runs into the next block
    would otherwise pair one model's matrix with another's residual, and the solution
    can swing far past the signal. Only the gaps' own samples and an order either side
    are read, so the cost is in the gaps, not in the signal's length.
    """
    p = coefficients.shape[1] - 1
    firsts, lasts = merge_spans(starts, ends, gap=p - 1, size=x.size)
    models = coefficients[np.minimum(firsts // block, len(coefficients) - 1)]
    lengths = lasts - firsts
    count = int(lengths.max())
    # row g holds x[first_g - p : first_g + count + p], zero outside the signal
    index = firsts[:, None] + np.arange(-p, count + p)
    windows = np.where((index >= 0) & (index < x.size), x[np.clip(index, 0, x.size - 1)],
                       0.0)
    residual = _filter_rows(windows, models, count + p)  # e at first_g + i
    # m[u] = sum_k a[k] e[u + k]: the same sum with the model reversed
    matched = _filter_rows(residual, models[:, ::-1], count)
    inside = np.arange(count) < lengths[:, None]
    groups = np.stack([firsts, lasts], axis=1)
    return _Gaps(groups, covered_indices(firsts, lasts), matched[inside])


def _solve(x: np.ndarray, gaps: _Gaps, *, coefficients: np.ndarray, block: int,
           scale: np.ndarray) -> np.ndarray:
    """The impulse on the gaps (end to end), with the MAP prior of
    :func:`~restorekit.analysis.impulses.solve_gaps`."""
    return solve_gaps(gaps.matched, gaps.groups, coefficients, block=block,
                      peaks=gap_peaks(x, gaps.where, gaps.groups), residual_scale=scale)


def _filter_rows(rows: np.ndarray, models: np.ndarray, count: int) -> np.ndarray:
    """``out[g, i] = sum_j models[g, j] rows[g, p + i - j]``: each row through its own AR
    prediction-error filter, ``count`` outputs from the ``p``-th sample on."""
    p = models.shape[1] - 1
    # windows[g, i, k] = rows[g, i + k], met by the model reversed (k = p - j)
    windows = sliding_window_view(rows[:, : count + p], p + 1, axis=1)
    return np.einsum("gik,gk->gi", windows, models[:, ::-1])


def _impulse(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, *,
             coefficients: np.ndarray, block: int, scale: np.ndarray) -> np.ndarray:
    """The damage to take out of the spans (0 elsewhere): ``x`` minus its LSAR fill.

    The impulse ``d = x - x_hat`` solves ``R d = m`` (see
    :func:`~restorekit.analysis.impulses.impulse_estimate`), with a MAP prior as large
    as the signal's peak that keeps near-singular gaps in band-limited transfers tame.
    """
    p = coefficients.shape[1] - 1
    starts, ends = merge_spans(starts, ends, gap=p - 1, size=x.size)
    edge = (starts < p) | (ends > x.size - p)
    if edge.any():
        # the banded solve assumes p known samples both sides; at the ends of the
        # signal lsar_interpolate's forward and backward errors stand in for them
        d = np.zeros(x.size)
        if (~edge).any():
            d = _impulse(x, starts[~edge], ends[~edge], coefficients=coefficients,
                         block=block, scale=scale)
        for first, last in zip(starts[edge], ends[edge], strict=True):
            lo, hi = max(0, first - 4 * p), min(x.size, last + 4 * p)
            a = coefficients[min(first // block, len(coefficients) - 1)]
            filled = lsar_interpolate(x[lo:hi], covered(np.array([first - lo]),
                                                          np.array([last - lo]), hi - lo), a)
            d[first:last] = x[first:last] - filled[first - lo: last - lo]
        return d
    gaps = _gap_matched(x, starts, ends, coefficients=coefficients, block=block)
    d = np.zeros(x.size)
    d[gaps.where] = _solve(x, gaps, coefficients=coefficients, block=block, scale=scale)
    return d


def choose_extents(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, *,
                   coefficients: np.ndarray, block: int, penalty: float = PENALTY,
                   shortest: int = 4, scale: np.ndarray | None = None) -> np.ndarray:
    """How much of each span ``[start, end)`` to repair: its end, or -1 to leave it.

    Declaring ``L`` samples after ``start`` missing lowers the summed squared
    prediction error by ``g(L) = d_L^T m`` (``d_L`` the impulse LSAR takes out, ``m``
    the matched residual, as ``R d = m``): a likelihood gain in units of the residual
    variance ``s^2``. Even pure music gains about ``s^2`` per freed sample, so each
    span keeps the length maximising ``g(L) - penalty * s^2 * L`` over
    ``L = shortest, 2 * shortest, ...`` up to its whole length, and is left alone if
    no length gains anything (an order-selection rule in the spirit of Akaike's, as
    Godsill & Rayner 1998 §5.3 choose among detection hypotheses by their likelihood).
    Repairing no more than the click keeps music out of the interpolation. ``scale``,
    the residual's scale per block, is worked out when not given.
    """
    if scale is None:
        scale = _residual_scale(x, coefficients, block)
    lengths = ends - starts
    variance = scale[np.minimum(starts // block, len(scale) - 1)] ** 2
    best = np.zeros(starts.size)
    chosen = np.full(starts.size, -1, dtype=np.int64)
    # a span stops growing when it reaches its whole length, or when two doublings in
    # a row have not paid: the click is behind it (and the cost of each solve is in the
    # samples still being tried)
    misses = np.zeros(starts.size, dtype=np.int64)
    active = np.ones(starts.size, dtype=bool)
    candidate = shortest
    while active.any():
        at = np.flatnonzero(active)
        first, last = starts[at], starts[at] + np.minimum(lengths[at], candidate)
        gaps = _gap_matched(x, first, last, coefficients=coefficients, block=block)
        d = _solve(x, gaps, coefficients=coefficients, block=block, scale=scale)
        # each span's own samples, found in the gaps laid end to end
        at_gap = np.searchsorted(gaps.where, first)
        gain = span_sums(d * gaps.matched, at_gap, at_gap + (last - first))
        merit = gain - penalty * variance[at] * (last - first)
        better = merit > best[at]
        best[at[better]], chosen[at[better]] = merit[better], last[better]
        misses[at] = np.where(better, 0, misses[at] + 1)
        active &= (lengths > candidate) & (misses < 2)
        candidate *= 2
    return chosen


def _long_repair(x: np.ndarray, first: int, last: int, missing: np.ndarray, *,
                 order: int, context: int) -> np.ndarray:
    """The LSAR fill of ``x[first:last]`` with a Burg model of the clean music around it."""
    lo, hi = max(0, first - context), min(x.size, last + context)
    # only the known samples nearest the gap on each side, up to another gap
    before = x[lo:first][_tail_known(~missing[lo:first])]
    after = x[last:hi][_head_known(~missing[last:hi])]
    clean = np.concatenate([before, after])
    order = min(order, max(2, clean.size // 4))
    if clean.size <= order or np.ptp(clean) == 0:
        return np.zeros(last - first)
    a, _ = burg(clean, order=order)
    wlo, whi = max(0, first - 2 * order), min(x.size, last + 2 * order)
    window = lsar_interpolate(x[wlo:whi], missing[wlo:whi], a)
    return window[first - wlo: last - wlo]


def _tail_known(known: np.ndarray) -> slice:
    """The run of True at the end of ``known``."""
    bad = np.flatnonzero(~known)
    return slice(bad[-1] + 1 if bad.size else 0, known.size)


def _head_known(known: np.ndarray) -> slice:
    """The run of True at the start of ``known``."""
    bad = np.flatnonzero(~known)
    return slice(0, bad[0] if bad.size else known.size)


class Repair(NamedTuple):
    """A repaired channel and the spans ``[starts, ends)`` that were filled."""

    samples: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


def repair_spans(x: np.ndarray, starts: np.ndarray, ends: np.ndarray, *, sample_rate: int,
                 order: int = 20, block: int, long_ms: float = 5.0, long_order: int = 80,
                 refits: int = 1, penalty: float | None = PENALTY,
                 novelty: float | None = 4.0) -> Repair:
    """Replace the samples ``x[start:end]`` of every span by their LSAR interpolant.

    Parameters
    ----------
    x : numpy.ndarray
        One channel, float64.
    starts, ends : numpy.ndarray
        Spans ``[start, end)`` in frames, sorted and apart (see
        :func:`restorekit.dsp.arrays.merge_spans`).
    sample_rate : int
    order : int
        AR order of the block models used for short spans.
    block : int
        Length in frames of the blocks those models are fitted on. Blocks start at
        ``x[0]``, so a caller streaming a long file keeps its windows on this grid.
    long_ms : float
        Spans longer than this are scratches: each gets its own Burg model of
        ``long_order``, fitted on up to ``8 * long_order`` clean samples each side.
    long_order : int
    refits : int
        How many times the block models are fitted again on the repaired signal and
        the spans solved again (Godsill & Rayner's iteration, §5.2.3).
    penalty : float or None
        Repair only as much of each span as :func:`choose_extents` finds worth it at
        this penalty; None repairs every span whole (what an oracle given the true
        spans does).

    Returns
    -------
    Repair
        The repaired copy of ``x`` (samples outside the spans untouched) and the spans
        actually filled.
    """
    x = np.asarray(x, dtype=np.float64)
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if not starts.size or x.size <= 2 * order:
        return Repair(x.copy(), starts[:0], ends[:0])
    block = min(block, x.size)
    fitted = np.where(covered(starts, ends, x.size), 0.0, x)
    coefficients = fit_ar_blocks(fitted, order=order, block=block, method="autocorrelation")
    scale = _residual_scale(x, coefficients, block)
    if penalty is not None:
        ends = choose_extents(x, starts, ends, coefficients=coefficients, block=block,
                              penalty=penalty, scale=scale)
        # spans that now touch are one repair
        starts, ends = merge_spans(starts[ends > starts], ends[ends > starts], gap=0,
                                   size=x.size)
    def fill() -> np.ndarray:
        if not starts.size:
            return x.copy()
        return x - _impulse(x, starts, ends, coefficients=coefficients, block=block,
                            scale=scale)

    out = fill()
    if novelty is not None and starts.size:
        keep = ~_novel(out, starts, ends, coefficients=coefficients, block=block,
                       scale=scale, limit=novelty,
                       window=round(_NOVELTY_MS * sample_rate / 1000))
        if not keep.all():
            starts, ends = starts[keep], ends[keep]
            out = fill()
    for _ in range(refits if starts.size else 0):
        # models of the repaired signal, free of the clicks' energy
        coefficients = fit_ar_blocks(out, order=order, block=block,
                                     method="autocorrelation")
        scale = _residual_scale(x, coefficients, block)
        out = fill()
    # every span, long ones too, had a first fill above: it keeps a short span next to
    # a scratch from being solved against the scratch's damage
    long = (ends - starts) > long_ms * sample_rate / 1000
    scratches = covered(starts[long], ends[long], x.size)
    for first, last in zip(starts[long], ends[long], strict=True):
        out[first:last] = _long_repair(out, first, last, scratches, order=long_order,
                                       context=8 * long_order)
    return Repair(out, starts, ends)


_NOVELTY_MS = 3.0


def _novel(repaired: np.ndarray, starts: np.ndarray, ends: np.ndarray, *,
           coefficients: np.ndarray, block: int, scale: np.ndarray, limit: float,
           window: int) -> np.ndarray:
    """Spans after which the music stays unpredictable: a note's onset, not a click.

    A click ends; once it is filled, the prediction error just after it is the
    music's usual. A note's attack goes on being new after any span a detector put
    on it, so there the error stays far above the block's (tens to hundreds of times
    its variance on real onsets, against under 1.5 times after filled clicks). Filling
    such a span would cut the attack off: those spans are returned as True.
    """
    p = coefficients.shape[1] - 1
    models = coefficients[np.minimum(ends // block, len(coefficients) - 1)]
    padded = np.concatenate([np.zeros(p), repaired, np.zeros(window)])
    # row i: repaired[end_i - p : end_i + window], for the errors e[end_i + t]
    error = _filter_rows(padded[ends[:, None] + np.arange(window + p)], models, window)
    after = np.mean(error ** 2, axis=1)
    return after > limit * scale[np.minimum(starts // block, len(scale) - 1)] ** 2
