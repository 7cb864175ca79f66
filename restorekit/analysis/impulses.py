"""Finding clicks: ``detect_impulses`` with an AR-residual and a derivative detector.

Music is predictable from its recent past; a click is not. The AR detector fits an
autoregressive model to each short block (the autocorrelation method, all blocks at
once), and flags samples where the prediction error, or its matched-filter forms,
stand far above the robust scale of the music around them (:mod:`.scores`) — the
detector of Vaseghi & Rayner (1990) and Godsill & Rayner (1998, ch. 5). The derivative
detector needs no model: it flags samples where the second difference and the deviation
from a short running median are both large, as clicks are steeper and narrower than
anything an instrument plays. ``method="both"`` keeps the AR detections that the
derivative detector confirms, trading a little recall for precision.

Each detection's span is then bridged by least-squares AR interpolation (Janssen,
Veldhuis & Vries 1986), solved in the residual domain: the difference between the
signal and that interpolation is the impulse itself, whose peak, polarity and ringing
the events report.

Run ``python -m restorekit.analysis.impulses FILE`` for a report on a file.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.linalg.lapack import dpbsv as _banded_solve

from restorekit.analysis.events import ImpulseEvents
from restorekit.analysis.scores import ar_scores, derivative_score
from restorekit.audio import Audio, check_audio
from restorekit.checks import check_integer, check_number
from restorekit.dsp.ar import fit_ar_blocks
from restorekit.dsp.arrays import covered, merge_spans, true_runs
from restorekit.errors import ParameterError

__all__ = ["detect_impulses", "METHODS"]

METHODS = ("ar", "derivative", "both")


def _check(method: str, sensitivity: float, order: int, block_ms: float) -> None:
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}, got {method!r}.")
    check_number(sensitivity, name="sensitivity", low=0.1, high=10.0)
    check_integer(order, name="order", low=2, high=100)
    check_number(block_ms, name="block_ms", low=5.0, high=2000.0)


def impulse_estimate(matched: np.ndarray, spans: list[tuple[int, int]],
                     coefficients: np.ndarray, *, block: int,
                     x: np.ndarray | None = None,
                     residual_scale: np.ndarray | None = None) -> np.ndarray:
    """The impulses alone over ``spans`` (0 elsewhere): least-squares AR interpolation.

    LSAR (Janssen, Veldhuis & Vries 1986) picks the samples of a gap that minimise the
    summed squared prediction error. Written for the impulse ``d = x - x_hat`` rather
    than for ``x_hat``, the normal equations are ``R d = m`` on the gap: ``m`` is the
    matched output :func:`~restorekit.analysis.scores.ar_scores` already holds, and
    ``R[i, j]`` the model's autocorrelation at lag ``|i - j|`` (Godsill & Rayner 1998,
    §5.2). Spans closer than an AR order share prediction errors: they are solved as
    one gap, with the model of the block it starts in (see :func:`solve_gaps`, which
    also describes the prior that ``x`` and ``residual_scale`` add).
    """
    order = coefficients.shape[1] - 1
    impulse = np.zeros(matched.size)
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    groups = np.stack(merge_spans(spans[:, 0], spans[:, 1], gap=order - 1,
                                  size=matched.size), axis=1)
    if not len(groups):
        return impulse
    where = covered_indices(groups[:, 0], groups[:, 1])
    # the prior needs both; the peaks are not gathered for nothing
    peaks = (None if x is None or residual_scale is None else
             gap_peaks(x, where, groups))
    impulse[where] = solve_gaps(matched[where], groups, coefficients, block=block,
                                peaks=peaks, residual_scale=residual_scale)
    return impulse


def covered_indices(firsts: np.ndarray, lasts: np.ndarray) -> np.ndarray:
    """The frames of the sorted, disjoint spans ``[first, last)``, in order."""
    lengths = lasts - firsts
    offsets = np.cumsum(lengths) - lengths
    return np.arange(lengths.sum()) - np.repeat(offsets - firsts, lengths)


def gap_peaks(x: np.ndarray, where: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``max |x|`` over each gap of ``groups`` (rows ``[first, last)``), whose frames,
    laid end to end, are ``where``."""
    lengths = groups[:, 1] - groups[:, 0]
    return np.maximum.reduceat(np.abs(x[where]), np.cumsum(lengths) - lengths)


def model_autocorrelation(coefficients: np.ndarray) -> np.ndarray:
    """``sum_i a[i] a[i + k]`` for lags ``k = 0..order``, one row per model."""
    order = coefficients.shape[1] - 1
    size = 2 * (order + 1)  # no wrap-around: the lags end at `order`
    power = np.abs(np.fft.rfft(coefficients, size, axis=1)) ** 2
    return np.fft.irfft(power, size, axis=1)[:, : order + 1]


def solve_gaps(rhs: np.ndarray, groups: np.ndarray, coefficients: np.ndarray, *,
               block: int, peaks: np.ndarray | None = None,
               residual_scale: np.ndarray | None = None) -> np.ndarray:
    """Solve ``R d = rhs`` on each gap; the gaps' values are laid end to end.

    ``groups`` holds the gaps as sorted rows ``[first, last)``, at least an AR order
    apart; each is solved with the model of the block it starts in. ``R`` is banded
    (the model's autocorrelation ends at lag ``order``), and the gaps laid end to end
    make one block-diagonal system, so every gap is solved in one banded Cholesky call:
    O(n order^2).

    A band-limited recording is predicted so well that slow wander inside a gap costs
    almost no prediction error and ``R`` is nearly singular; the estimate could then
    swing far past anything in the signal. Given each gap's signal ``peaks`` and the
    per-block ``residual_scale``, a Gaussian prior on the impulse as large as the
    signal's peak is added (MAP instead of least squares, Godsill & Rayner 1998 §5.3):
    ``(R + (sigma_e / peak)^2 I) d = rhs``.
    """
    order = coefficients.shape[1] - 1
    in_block = np.minimum(groups[:, 0] // block, len(coefficients) - 1)
    # the models in use, and their autocorrelation at lag 0..order as LAPACK's upper band
    used, model = np.unique(in_block, return_inverse=True)
    bands = np.ascontiguousarray(model_autocorrelation(coefficients[used])[:, ::-1].T)
    ridge = np.zeros(len(groups))
    if peaks is not None and residual_scale is not None:
        ridge = (residual_scale[in_block] / np.maximum(peaks, 1e-12)) ** 2
    lengths = groups[:, 1] - groups[:, 0]
    gap = np.repeat(np.arange(len(groups)), lengths)
    # cut the band where it would reach back into the gap before: at a gap's first
    # columns j, the entries of every lag > j
    j, lag = np.nonzero(np.arange(order)[:, None] < np.arange(1, order + 1)[None, :])
    columns = (np.cumsum(lengths) - lengths)[:, None] + j[None, :]
    inside = j[None, :] < lengths[:, None]
    cut = (np.broadcast_to(order - 1 - lag, columns.shape)[inside], columns[inside])

    def system() -> np.ndarray:  # rows: order - lag holds lag `lag` (LAPACK's upper band)
        band = np.take(bands, model[gap], axis=1)
        band[order] += ridge[gap]
        band[cut] = 0.0
        return band

    _, solution, info = _banded_solve(system(), rhs, overwrite_ab=1)
    if info == 0:
        return solution
    # a degenerate (all-zero) model somewhere: solve the gaps one by one
    band, solution = system(), np.zeros(rhs.size)
    for g in range(len(groups)):
        part = gap == g
        _, piece, bad = _banded_solve(band[:, part], rhs[part])
        solution[part] = 0.0 if bad else piece
    return solution


def _gather(values: np.ndarray, starts: np.ndarray, widths: np.ndarray,
            fill: float = 0.0) -> np.ndarray:
    """``values[start:start + width]`` per span, as rows padded with ``fill``."""
    columns = np.arange(max(1, int(widths.max())))
    inside = columns < widths[:, None]
    index = np.minimum(starts[:, None] + columns, values.size - 1)
    return np.where(inside, values[index], fill)


def _describe(x: np.ndarray, impulse: np.ndarray, starts: np.ndarray, ends: np.ndarray,
              stat: np.ndarray, *, sample_rate: int) -> dict[str, np.ndarray]:
    """Measure each span's impulse: where and how high it peaks, its sign and ringing."""
    widths = ends - starts
    pieces = _gather(impulse, starts, widths)
    rows = np.arange(starts.size)
    at = np.argmax(np.abs(pieces), axis=1)
    signed = pieces[rows, at]
    # x = music + click, so |click| <= |x| + |music|: no more than twice the signal's
    # peak in and beside the span. Where an interpolation is ill-conditioned (long gaps
    # in a band-limited transfer) the estimate is held to that.
    around = np.maximum(0, starts - widths)
    bound = 2 * _gather(np.abs(x), around, 3 * widths).max(axis=1)
    peak = np.minimum(np.abs(signed), bound)
    # ringing: from the peak to where the impulse first falls under 1/e of it
    columns = np.arange(pieces.shape[1])
    fallen = ((columns >= at[:, None]) & (columns < widths[:, None])
              & (np.abs(pieces) < peak[:, None] / np.e))
    ringing = np.where(fallen.any(axis=1),
                       (np.argmax(fallen, axis=1) - at) / sample_rate * 1000, np.nan)
    scores = _gather(stat, starts, widths, fill=-np.inf)
    return {"start": starts, "width": widths,
            # where the detector fired hardest: the steep onset, which music cannot
            # mimic; the estimate's own maximum may sit on interpolation error
            "position": starts + np.argmax(scores, axis=1),
            "peak": peak, "polarity": np.where(signed >= 0, 1, -1),
            "ringing_ms": ringing, "score": scores.max(axis=1)}


def _channel_events(x: np.ndarray, *, method: str, sensitivity: float, order: int,
                    block: int, sample_rate: int,
                    measure: bool = True) -> dict[str, np.ndarray] | None:
    if x.size <= 2 * order or not np.any(x):
        return None
    block = min(block, x.size)
    coefficients = fit_ar_blocks(x, order=order, block=block, method="autocorrelation")
    threshold = THRESHOLDS[method] / sensitivity
    confirm = CONFIRM / sensitivity
    # Scores are needed only where a detection can be: pieces reaching the threshold
    # (the onset test looks a join, under a piece, beside them, and ar_scores works out
    # a hot piece's neighbours too). The derivative detector uses none of them.
    ar = ar_scores(x, coefficients, block=block, sample_rate=sample_rate,
                   least=np.inf if method == "derivative" else threshold)
    if method == "derivative":
        stat = derivative_score(x, block=block)
    else:
        stat = ar.score
    join = round(_JOIN_MS * sample_rate / 1000)
    spans = np.array(true_runs(stat > threshold, join=join), dtype=int).reshape(-1, 2)
    # the onset score's largest value within a join of each span, and where it is
    where = stat if method == "derivative" else ar.onset
    lo, hi = np.maximum(0, spans[:, 0] - join), np.minimum(x.size, spans[:, 1] + join)
    near = _gather(where, lo, hi - lo, fill=0.0) if len(spans) else np.zeros((0, 1))
    strongest = near.max(axis=1)
    if method != "derivative":
        # The matched forms add up many samples; where a block's model fits its start
        # or end poorly (after a drum hit, say) they can add up to a false alarm. A
        # click always shows at least faintly in the plain residual at its onset.
        keep = strongest >= confirm
        spans, lo, near, strongest = spans[keep], lo[keep], near[keep], strongest[keep]
    if method == "both":
        # keep the AR detections whose steepness the derivative detector confirms
        steep = derivative_score(x, block=block)
        keep = np.array([steep[max(0, first - 2): last + 2].max()
                         > 0.5 * THRESHOLDS["derivative"] / sensitivity
                         for first, last in spans], dtype=bool)
        spans, lo, near, strongest = spans[keep], lo[keep], near[keep], strongest[keep]
    if not len(spans):
        return None
    # The matched forms light up an AR order or more before a click; it begins where
    # the plain residual (or the derivative score) first rises near its peak.
    onsets = lo + np.argmax(near >= 0.5 * strongest[:, None], axis=1)
    onsets = np.maximum.accumulate(onsets)  # spans are in order; so are their clicks
    flagged_ends = spans[:, 1]
    if not measure:
        return _unmeasured(onsets, flagged_ends, stat, sample_rate=sample_rate)
    starts, ends, impulse = _click_extents(x, ar.matched, ar.block_scale, onsets,
                                           flagged_ends, coefficients, block=block,
                                           sample_rate=sample_rate)
    rows = _describe(x, impulse, starts, ends, stat, sample_rate=sample_rate)
    # a "click" a thousandth of full scale or less is a digital artefact of near silence
    # (gating, dither, codec noise), not damage anyone hears
    keep = rows["peak"] >= MIN_PEAK
    return {k: v[keep] for k, v in rows.items()} if keep.any() else None


MIN_PEAK = 10 ** (-60 / 20)  # -60 dBFS


def _unmeasured(onsets: np.ndarray, flagged_ends: np.ndarray, stat: np.ndarray, *,
                sample_rate: int) -> dict[str, np.ndarray]:
    """Detections as found, not estimated: each from its onset over the longest click
    body (or its flagged span, if longer), up to the next. Peaks, polarity and ringing
    are unknown (NaN, 0, NaN); a restorer measures what it took out instead."""
    onsets, first = np.unique(onsets, return_index=True)
    flagged_ends = np.maximum.reduceat(flagged_ends, first)
    reach = round(_LONGEST_MS * sample_rate / 1000)
    following = np.append(onsets[1:], stat.size)
    ends = np.minimum(np.maximum(flagged_ends + 1, onsets + reach), following)
    scores = _gather(stat, onsets, ends - onsets, fill=-np.inf)
    n = onsets.size
    return {"start": onsets, "width": ends - onsets,
            "position": onsets + np.argmax(scores, axis=1),
            "peak": np.full(n, np.nan), "polarity": np.zeros(n, dtype=int),
            "ringing_ms": np.full(n, np.nan), "score": scores.max(axis=1)}


def _click_extents(x: np.ndarray, matched: np.ndarray, residual_scale: np.ndarray,
                   onsets: np.ndarray, flagged_ends: np.ndarray,
                   coefficients: np.ndarray, *, block: int,
                   sample_rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Widen each detection to the whole click, estimate it, and trim it to its extent.

    The residual flags a click's steep onset; its slower body and ringing predict well
    and stay under the threshold. So each click is given ``_LONGEST_MS`` after its onset
    (or to the end of its flagged span, if later; never into the next click), the
    impulse is estimated over that, and the span is cut back to the last sample where
    the estimate is still a fifth of its peak (and its start to the first such).

    Returns the trimmed spans' starts and ends, and the impulse estimate on them (0
    elsewhere).
    """
    size = matched.size
    # a smooth rise shows in the residual at its top as much as at its foot: look a
    # little before the onset too, and trim the quiet lead-in off afterwards
    starts = np.maximum(0, onsets - round(_LEAD_MS * sample_rate / 1000))
    starts = np.maximum(starts, np.append(0, onsets[:-1] + 1))
    following = np.append(starts[1:], size)
    reach = round(_LONGEST_MS * sample_rate / 1000)
    ends = np.minimum(np.maximum(flagged_ends + 1, starts + reach), following)
    impulse = impulse_estimate(matched, list(zip(starts, ends, strict=True)), coefficients,
                               block=block, x=x, residual_scale=residual_scale)
    strength = np.abs(_gather(impulse, starts, ends - starts))
    strong = strength >= 0.2 * strength.max(axis=1, keepdims=True)
    last = strength.shape[1] - 1 - np.argmax(strong[:, ::-1], axis=1)
    ends = np.minimum(ends, starts + last + 3)
    starts = np.minimum(starts + np.maximum(0, np.argmax(strong, axis=1) - 2), ends - 1)
    # A click whose tail was flagged again is one click in two touching windows
    # (estimated together, as they share prediction errors): make it one event.
    separate = np.append(True, starts[1:] > ends[:-1])
    ends = np.maximum.reduceat(ends, np.flatnonzero(separate))
    starts = starts[separate]
    impulse[~covered(starts, ends, size)] = 0.0
    return starts, ends, impulse


_LONGEST_MS = 3.0  # the widest click body the generator and the literature describe
_LEAD_MS = 0.5  # how far before its flagged onset a click's rise may begin
# the forms of the AR score spread one click over about an AR order and a pulse width:
# exceedances closer than this are one click
_JOIN_MS = 1.0


def detect_impulses(audio: Audio, *, method: str = "ar", sensitivity: float = 1.0,
                    order: int = 20, block_ms: float = 50.0,
                    measure: bool = True) -> ImpulseEvents:
    """Find clicks, pops and crackle in ``audio``, channel by channel.

    Parameters
    ----------
    audio : Audio
    method : {"ar", "derivative", "both"}
        The AR-residual detector, the derivative detector, or AR confirmed by the
        derivative detector.
    sensitivity : float
        0.1 to 10. The detection threshold is ``THRESHOLDS[method] / sensitivity`` robust
        standard deviations; higher finds fainter clicks, and more false ones.
    order : int
        AR model order (Godsill & Rayner suggest 20–40 for audio at 44.1 kHz).
    block_ms : float
        Length of the blocks the AR models and robust scales are fitted on.
    measure : bool
        Estimate each impulse (LSAR) to give its extent, peak, polarity and ringing.
        A declicker that estimates what it removes anyway passes False: spans then run
        from the onset over the longest click body, and peaks are NaN.

    Returns
    -------
    ImpulseEvents
        Per-channel events (``channel`` 0, 1, ...); use :meth:`ImpulseEvents.joint`
        for one row per click across channels. Impulses whose estimated peak is below
        ``MIN_PEAK`` (-60 dBFS) are left out: at that level they are artefacts of near
        silence, not audible damage.
    """
    _check(method, sensitivity, order, block_ms)
    check_audio(audio, who="detect_impulses")
    block = max(4 * order, round(block_ms * audio.sample_rate / 1000))
    parts = []
    for channel, x in enumerate(audio.samples.astype(np.float64)):
        rows = _channel_events(x, method=method, sensitivity=sensitivity, order=order,
                               block=block, sample_rate=audio.sample_rate, measure=measure)
        if rows is not None:
            rows["channel"] = np.full(len(rows["start"]), channel)
            parts.append(ImpulseEvents(sample_rate=audio.sample_rate, frames=audio.frames,
                                       channels=audio.channels, **rows))
    if not parts:
        return ImpulseEvents.empty(sample_rate=audio.sample_rate, frames=audio.frames,
                                   channels=audio.channels)
    return ImpulseEvents.concatenate(parts)


#: Detection thresholds in robust standard deviations at sensitivity 1 ("both" uses
#: the AR one, confirmed at half the derivative one). The AR score is a maximum over
#: whitened forms and stays near Gaussian; the derivative score has heavier tails.
THRESHOLDS = {"ar": 5.5, "derivative": 8.0, "both": 5.5}
CONFIRM = 3.2  # what the plain residual must reach at an AR detection's onset


def main(argv: list[str] | None = None) -> int:
    """``python -m restorekit.analysis.impulses FILE...``: the impulse report of each file."""
    from restorekit.cli import main as cli_main

    return cli_main(["analyze", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
