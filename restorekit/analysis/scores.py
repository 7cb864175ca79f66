"""Per-sample click scores: how many robust standard deviations each sample stands out.

The detectors in :mod:`restorekit.analysis.impulses` threshold these scores.

The AR score works on the prediction error (residual) of a blockwise AR model: music
predicts well from its past and a click does not (Vaseghi & Rayner 1990). A click is
seen in several forms, and the score is the largest of them, each measured in its own
robust units:

- the residual itself, which catches the steep onset of a click;
- the residual passed through the time-reversed model, ``m[t] = sum_k a[k] e[t + k]``:
  the matched filter for a single-sample impulse, whose residual is the model's own
  impulse response (Vaseghi & Rayner 1990; Godsill & Rayner 1998, §5.3). It weighs all
  the samples an impulse disturbs, not just the first;
- that matched output correlated with a pulse that jumps up and
  decays exponentially: the matched filters for clicks with a body (a steep rise and a
  slower fall), whose residual is weak per sample but long. Correlating ``e`` with the
  model-filtered pulse equals correlating ``m`` with the pulse, so no per-block
  filter is needed, and the exponential makes it a one-pole recursion.

Each form is divided by a *local* robust scale: the largest of the block's median
absolute value, the one of the music just around the sample (but not at it), and a
floor 30 dB under the music's own level. The surrounding scale keeps a drum hit or a
consonant, whose residual stays high for many milliseconds, from reading as a click;
the sample's own neighbourhood is skipped so a click does not hide itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

__all__ = ["robust_scale", "block_scales", "local_scale", "block_residual",
           "matched_residual", "ARScores", "ar_scores", "derivative_score", "PULSES_MS"]

# A robust standard deviation from the median absolute value (Gaussian consistency).
_MAD_TO_SIGMA = 1.4826
# The residual of synthetic or very clean tones is almost nil; the scale never drops
# further than this under the music's own level, or any slight change reads as a click.
RESIDUAL_FLOOR_DB = -60.0
#: Decay time of the pulse-matched form (ms): a click with a body.
PULSES_MS = (0.4,)
_PIECE_MS = 3.0  # one piece of the neighbourhood the local scale looks at


def robust_scale(values: np.ndarray, block: int) -> np.ndarray:
    """Per-sample robust standard deviation of ``values``, from blockwise medians.

    Each block of ``block`` samples gets ``1.4826 * median(|values|)``; blocks are
    short enough to follow the music's loudness and long enough that a few clicks
    cannot move their median. A partial block at the end takes the last full one's.
    """
    return _spread(block_scales(values, block), block, values.size)


def _padded(values: np.ndarray, size: int) -> np.ndarray:
    """``values`` lengthened to ``size`` with copies of its last value."""
    return np.concatenate([values, np.full(size - values.size, values[-1])])


def _spread(per_block: np.ndarray, block: int, size: int) -> np.ndarray:
    """One value per block, repeated over its samples; a partial tail takes the last."""
    out = _padded(np.repeat(per_block, block)[:size], size)
    floor = 1e-9 + 1e-3 * float(np.median(per_block))  # digital silence has no scale
    return np.maximum(out, floor)


def block_scales(values: np.ndarray, block: int, *, step: int = 1) -> np.ndarray:
    """Robust standard deviation of each whole block of ``values``: 1.4826 times the
    upper median of ``|values|`` (``np.partition``: a third of np.median's time), from
    every ``step``-th sample of the block. A partial block at the end is left out."""
    block = min(block, values.size)
    blocks = max(1, values.size // block)
    table = np.abs(values[: blocks * block].reshape(blocks, block)[:, ::step])
    middle = table.shape[1] // 2
    table.partition(middle, axis=1)  # in place: the table is a copy already
    return _MAD_TO_SIGMA * table[:, middle]


def _pieces(values: np.ndarray, piece: int) -> tuple[np.ndarray, np.ndarray]:
    """``|values|`` cut into rows of ``piece`` (the tail zero-padded), and each row's
    robust scale; the tail row, if partial, takes the scale of the row before it."""
    count = -(-values.size // piece)
    # single precision is plenty for a scale and halves the memory traffic
    table = np.zeros((count, piece), dtype=np.float32)
    np.abs(values, out=table.reshape(-1)[: values.size], casting="same_kind")
    full = values.size // piece
    scales = np.empty(count)
    if full:
        scales[:full] = _MAD_TO_SIGMA * np.partition(table[:full], piece // 2, axis=1)[
            :, piece // 2]
    if full < count:
        tail = np.abs(values[full * piece:])
        scales[full:] = scales[full - 1] if full else _MAD_TO_SIGMA * np.median(tail)
    return table, scales


def _grouped_medians(pieces: np.ndarray, per_block: int) -> np.ndarray:
    """Median of each run of ``per_block`` pieces (a partial run at the end is left out;
    callers give it the last run's value)."""
    per_block = max(1, min(per_block, pieces.size))
    count = max(1, pieces.size // per_block)
    return np.median(pieces[: count * per_block].reshape(count, per_block), axis=1)


def local_scale(pieces: np.ndarray, *, per_block: int) -> np.ndarray:
    """Robust scale of the music around each piece, without the piece's own.

    ``pieces`` holds one robust scale per piece of a signal. Piece ``j`` gets the
    largest of: the median over its block of ``per_block`` pieces (the general level),
    the scales of pieces ``j - 3, j - 2`` (the music just before it) and those of
    ``j + 2, j + 3`` (just after it), the latter capped by the larger of pieces ``j``
    and ``j + 1``. A click covers at most a piece or two and cannot raise its own
    scale; a drum hit or a consonant that stays loud for several pieces raises it
    around its own onset, which therefore does not read as a click; but a click two
    pieces before such an onset, in music still quiet, stays visible.
    """
    per_block = max(1, min(per_block, pieces.size))
    general = _padded(np.repeat(_grouped_medians(pieces, per_block), per_block), pieces.size)
    padded = np.pad(pieces, 3, mode="edge")
    j = np.arange(pieces.size) + 3
    before = np.maximum(padded[j - 3], padded[j - 2])
    # the music after counts only once it has begun: in the piece itself or the next
    # (where the matched forms spread an onset back to); a click just before a note's
    # onset must not hide behind the note
    after = np.minimum(np.maximum(padded[j + 2], padded[j + 3]),
                       np.maximum(padded[j], padded[j + 1]))
    return np.maximum(general, np.maximum(before, after))


def _blocks(frames: int, count: int, block: int):
    """``(i, first, last)`` per AR block; the last block runs to the end."""
    for i in range(count):
        yield i, i * block, frames if i == count - 1 else (i + 1) * block


def block_residual(x: np.ndarray, coefficients: np.ndarray, *, block: int) -> np.ndarray:
    """Prediction error of one channel, each block filtered with its own AR model.

    ``coefficients`` holds one model per block of ``block`` samples
    (:func:`restorekit.dsp.ar.fit_ar_blocks`).
    """
    order = coefficients.shape[1] - 1
    residual = np.empty(x.size)
    for i, first, last in _blocks(x.size, len(coefficients), block):
        # start the filter `order` samples early so it has history at the block's edge
        lead = min(order, first)
        residual[first:last] = np.convolve(x[first - lead: last], coefficients[i])[
            lead: lead + last - first]
    return residual


def matched_residual(residual: np.ndarray, coefficients: np.ndarray,
                     block: int) -> np.ndarray:
    """``m[t] = sum_k a_b(t+k)[k] e[t + k]``: the adjoint of :func:`block_residual`.

    An impulse at ``t`` reaches ``e[t + k]`` through the model of the block ``t + k``
    lies in, so each block's residual is correlated with that block's own model and
    added back where it came from. Using one model across a block edge would pair a
    tonal block's large coefficients with the next block's (say, a drum's) residual.
    """
    order = coefficients.shape[1] - 1
    out = np.zeros(residual.size + order)  # out[j] is m[j - order]
    pad = np.zeros(order)
    for i, first, last in _blocks(residual.size, len(coefficients), block):
        part = np.concatenate([pad, residual[first:last], pad])
        out[first: last + order] += np.correlate(part, coefficients[i], mode="valid")
    return out[order:]


def _decaying_pulse(matched: np.ndarray, decay: float) -> tuple[np.ndarray, float]:
    """Correlate ``matched`` with a pulse that jumps to 1 and decays as ``decay ** j``.

    ``y[t] = sum_j decay**j m[t + j]`` is the recursion ``y[t] = m[t] + decay y[t + 1]``
    run backwards in time: two passes, whatever the pulse's length. Returns ``y``,
    which peaks at the click's start, and the pulse's norm.
    """
    y = lfilter([1.0], [1.0, -decay], matched[::-1])[::-1]
    return y, float(np.sqrt(1.0 / (1.0 - decay * decay)))


@dataclass(frozen=True)
class ARScores:
    """What the AR detector computes for one channel.

    ``score`` is the largest of the forms' ``|value| / local scale``; ``onset`` is the
    residual's alone (a click's steep onset always shows in it, however weakly);
    ``residual`` and ``matched`` are kept for estimating the impulses found, and
    ``block_scale``, the residual's robust scale per AR block, for their prior.
    """

    score: np.ndarray
    onset: np.ndarray
    residual: np.ndarray
    matched: np.ndarray
    block_scale: np.ndarray


def ar_scores(x: np.ndarray, coefficients: np.ndarray, *, block: int, sample_rate: int,
              least: float = 0.0) -> ARScores:
    """The AR click scores of one channel (see the module's description).

    Parameters
    ----------
    x : numpy.ndarray
        One channel, float64.
    coefficients : numpy.ndarray
        One AR model per block of ``block`` samples.
    block : int
    sample_rate : int
    least : float
        Scores are worked out sample by sample only in the pieces (and their
        neighbours) where some form reaches ``least``; elsewhere they are 0. A detector
        passes the lowest score it will look at; most of a recording is far below it,
        and this skips most of the per-sample work.

    Returns
    -------
    ARScores
    """
    residual = block_residual(x, coefficients, block=block)
    matched = matched_residual(residual, coefficients, block)
    piece = max(8, round(_PIECE_MS * sample_rate / 1000))
    # where each piece's block starts, for the per-block floor and matched-form gain
    count = -(-x.size // piece)
    in_block = np.minimum(np.arange(count) * piece // block, len(coefficients) - 1)
    # the floor sits 60 dB under the music: every 4th sample places it well enough
    level = _padded(block_scales(x, block, step=4), len(coefficients))
    floor = np.maximum(level, 1e-9) * 10 ** (RESIDUAL_FLOOR_DB / 20)
    # each form's gain for white input, per block, so the floor reads in its units
    gain = np.sqrt(np.sum(coefficients ** 2, axis=1))
    forms = [(residual, np.ones_like(gain)), (matched, gain)]
    for ms in PULSES_MS:
        along, norm = _decaying_pulse(matched, np.exp(-1000 / (ms * sample_rate)))
        forms.append((along, gain * norm))
    tables, pieces = zip(*(_pieces(values, piece) for values, _ in forms), strict=True)
    scales = [np.maximum(local_scale(own, per_block=block // piece), (floor * white)[in_block])
              for own, (_, white) in zip(pieces, forms, strict=True)]
    # the residual's typical scale in each AR block
    per_block = max(1, min(block // piece, pieces[0].size))
    medians = _grouped_medians(pieces[0], per_block)
    block_scale = medians[np.minimum(np.arange(len(coefficients)) * block
                                     // (per_block * piece), medians.size - 1)]
    peaks = np.max([t.max(axis=1) / sc for t, sc in zip(tables, scales, strict=True)],
                   axis=0)
    hot = peaks >= least
    hot[1:] |= hot[:-1].copy()  # and the pieces beside them, where an onset may sit
    hot[:-1] |= hot[1:].copy()
    rows = np.flatnonzero(hot)
    ratios = [t[rows] / sc[rows, None] for t, sc in zip(tables, scales, strict=True)]
    score, onset = np.zeros((count, piece)), np.zeros((count, piece))
    score[rows] = np.max(ratios, axis=0)
    onset[rows] = ratios[0]
    return ARScores(score=score.reshape(-1)[: x.size], onset=onset.reshape(-1)[: x.size],
                    residual=residual, matched=matched, block_scale=block_scale)


def derivative_score(x: np.ndarray, *, block: int) -> np.ndarray:
    """(|2nd difference| / scale + |deviation from a 5-point median| / scale) / 2.

    The model-free detector: a click is steeper and narrower than anything an
    instrument plays. The second difference and the median deviation are each divided
    by their blockwise robust scale, so the score reads in the same units as
    :func:`ar_scores`.
    """
    from scipy.ndimage import median_filter

    second = np.zeros(x.size)
    second[1:-1] = x[2:] - 2 * x[1:-1] + x[:-2]
    deviation = x - median_filter(x, size=5, mode="nearest")
    floor = robust_scale(x, block) * 10 ** (RESIDUAL_FLOOR_DB / 20)
    return 0.5 * (np.abs(second) / np.maximum(robust_scale(second, block), floor)
                  + np.abs(deviation) / np.maximum(robust_scale(deviation, block), floor))
