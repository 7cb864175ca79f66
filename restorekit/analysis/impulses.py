"""Finding clicks: ``detect_impulses`` with an AR-residual and a derivative detector.

Music is predictable from its recent past; a click is not. The AR detector fits an
autoregressive model to each short block (Burg's method), filters the block with it, and
flags samples whose prediction error stands far above the block's robust scale — the
detector of Vaseghi & Rayner (1990) and Godsill & Rayner (1998, ch. 5). The derivative
detector needs no model: it flags samples where the second difference and the deviation
from a short running median are both large, as clicks are steeper and narrower than
anything an instrument plays. ``method="both"`` keeps the AR detections that the
derivative detector confirms, trading a little recall for precision.

Each detection's span is then bridged by least-squares AR interpolation (Janssen,
Veldhuis & Vries 1986): the difference between the signal and that interpolation is
the impulse itself, whose peak, polarity and ringing the events report.

Run ``python -m restorekit.analysis.impulses FILE`` for a report on a file.
"""

from __future__ import annotations

import sys

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.audio import Audio
from restorekit.dsp.ar import ar_residual, fit_ar_blocks, lsar_interpolate
from restorekit.dsp.arrays import true_runs
from restorekit.errors import ParameterError

__all__ = ["detect_impulses", "METHODS"]

METHODS = ("ar", "derivative", "both")
# A robust standard deviation from the median absolute value (Gaussian consistency).
_MAD_TO_SIGMA = 1.4826


def _check(method: str, sensitivity: float, order: int, block_ms: float) -> None:
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}, got {method!r}.")
    if not (isinstance(sensitivity, (int, float)) and 0.1 <= sensitivity <= 10):
        raise ParameterError(f"sensitivity must be from 0.1 to 10, got {sensitivity!r}.")
    if not (isinstance(order, int) and 2 <= order <= 100):
        raise ParameterError(f"order must be an integer from 2 to 100, got {order!r}.")
    if not (isinstance(block_ms, (int, float)) and 5 <= block_ms <= 2000):
        raise ParameterError(f"block_ms must be from 5 to 2000 ms, got {block_ms!r}.")


def robust_scale(values: np.ndarray, block: int) -> np.ndarray:
    """Per-sample robust standard deviation of ``values``, from blockwise medians.

    Each block of ``block`` samples gets ``1.4826 * median(|values|)``; blocks are
    short enough to follow the music's loudness and long enough that a few clicks
    cannot move their median.
    """
    n = values.size
    blocks = max(1, n // block)
    cut = blocks * block
    medians = np.median(np.abs(values[:cut]).reshape(blocks, block), axis=1)
    scale = np.repeat(medians, block)
    scale = np.concatenate([scale, np.full(n - cut, medians[-1])])
    floor = 1e-9 + 1e-3 * float(np.median(medians))  # digital silence has no scale
    return np.maximum(_MAD_TO_SIGMA * scale, floor)


def block_residual(x: np.ndarray, coefficients: np.ndarray, *, block: int) -> np.ndarray:
    """Prediction error of one channel, each block filtered with its own AR model.

    ``coefficients`` holds one model per block of ``block`` samples
    (:func:`restorekit.dsp.ar.fit_ar_blocks`).
    """
    order = coefficients.shape[1] - 1
    residual = np.empty(x.size)
    for a, first, last in _blocks(x.size, coefficients, block):
        # start the filter `order` samples early so it has history at the block's edge
        lead = min(order, first)
        residual[first:last] = ar_residual(x[first - lead: last], a)[lead:]
    return residual


def ar_statistic(x: np.ndarray, coefficients: np.ndarray, *, block: int) -> np.ndarray:
    """|prediction error| / robust scale, per sample, for one channel."""
    residual = block_residual(x, coefficients, block=block)
    # Synthetic or very clean tones are predicted almost perfectly, and their tiny
    # residual would make any slight change of the music look like a click: the scale is
    # never taken below _RESIDUAL_FLOOR_DB under the music's own level.
    floor = robust_scale(x, block) * 10 ** (_RESIDUAL_FLOOR_DB / 20)
    return np.abs(residual) / np.maximum(robust_scale(residual, block), floor)


_RESIDUAL_FLOOR_DB = -30.0


def derivative_statistic(x: np.ndarray, *, block: int) -> np.ndarray:
    """(|2nd difference| / scale + |deviation from a 5-point median| / scale) / 2.

    The second difference and the median deviation are each divided by their blockwise
    robust scale, so the statistic reads in the same units as :func:`ar_statistic`.
    """
    from scipy.ndimage import median_filter

    second = np.zeros(x.size)
    second[1:-1] = x[2:] - 2 * x[1:-1] + x[:-2]
    deviation = x - median_filter(x, size=5, mode="nearest")
    floor = robust_scale(x, block) * 10 ** (_RESIDUAL_FLOOR_DB / 20)
    return 0.5 * (np.abs(second) / np.maximum(robust_scale(second, block), floor)
                  + np.abs(deviation) / np.maximum(robust_scale(deviation, block), floor))


def _blocks(frames: int, coefficients: np.ndarray, block: int):
    """``(a, first, last)`` per AR block; the last block runs to the end."""
    count = len(coefficients)
    for i, a in enumerate(coefficients):
        yield a, i * block, frames if i == count - 1 else (i + 1) * block


def impulse_estimate(x: np.ndarray, spans: list[tuple[int, int]], coefficients: np.ndarray,
                     *, block: int) -> np.ndarray:
    """The impulses alone: ``x`` minus its LSAR interpolation over ``spans`` (else 0)."""
    order = coefficients.shape[1] - 1
    missing = np.zeros(x.size, dtype=bool)
    for first, last in spans:
        missing[first:last] = True
    repaired = x.copy()
    for a, first, last in _blocks(x.size, coefficients, block):
        if not missing[first:last].any():
            continue
        # reach past the block so gaps at its edges see known samples on both sides
        lo, hi = max(0, first - 2 * order), min(x.size, last + 2 * order)
        part = lsar_interpolate(x[lo:hi], missing[lo:hi], a)
        repaired[first:last] = part[first - lo: last - lo]
    return x - repaired


def _describe(impulse: np.ndarray, spans: list[tuple[int, int]], stat: np.ndarray, *,
              sample_rate: int) -> dict[str, np.ndarray]:
    """Measure each span's impulse: where and how high it peaks, its sign and ringing."""
    rows: dict[str, list] = {k: [] for k in ("start", "width", "position", "peak",
                                             "polarity", "ringing_ms", "score")}
    for first, last in spans:
        piece = impulse[first:last]
        at = int(np.argmax(np.abs(piece)))
        peak = float(abs(piece[at]))
        fallen = np.flatnonzero(np.abs(piece[at:]) < peak / np.e)
        rows["start"].append(first)
        rows["width"].append(last - first)
        # where the detector fired hardest: the steep onset, which music cannot mimic;
        # the estimate's own maximum may sit on interpolation error in loud passages
        rows["position"].append(first + int(np.argmax(stat[first:last])))
        rows["peak"].append(peak)
        rows["polarity"].append(1 if piece[at] >= 0 else -1)
        rows["ringing_ms"].append(fallen[0] / sample_rate * 1000 if fallen.size else np.nan)
        rows["score"].append(float(stat[first:last].max()))
    return {k: np.asarray(v, dtype=float if k in ("peak", "ringing_ms", "score") else int)
            for k, v in rows.items()}


def _channel_events(x: np.ndarray, *, method: str, threshold: float, order: int,
                    block: int, sample_rate: int) -> dict[str, np.ndarray] | None:
    if x.size <= 2 * order or not np.any(x):
        return None
    coefficients = fit_ar_blocks(x, order=order, block=min(block, x.size))
    if method == "derivative":
        stat = derivative_statistic(x, block=block)
    else:
        stat = ar_statistic(x, coefficients, block=block)
    spans = true_runs(stat > threshold, join=max(2, order // 2))
    if method == "both":
        # keep the AR detections whose steepness the derivative detector confirms
        confirm = derivative_statistic(x, block=block)
        spans = [(first, last) for first, last in spans
                 if confirm[max(0, first - 2): last + 2].max() > 0.5 * threshold]
    if not spans:
        return None
    spans = _click_extents(x, spans, coefficients, block=block, sample_rate=sample_rate)
    impulse = impulse_estimate(x, spans, coefficients, block=block)
    rows = _describe(impulse, spans, stat, sample_rate=sample_rate)
    # a "click" a thousandth of full scale or less is a digital artefact of near silence
    # (gating, dither, codec noise), not damage anyone hears
    keep = rows["peak"] >= MIN_PEAK
    return {k: v[keep] for k, v in rows.items()} if keep.any() else None


MIN_PEAK = 10 ** (-60 / 20)  # -60 dBFS


def _click_extents(x: np.ndarray, spans: list[tuple[int, int]], coefficients: np.ndarray,
                   *, block: int, sample_rate: int) -> list[tuple[int, int]]:
    """Widen each detection to the whole click, then trim it to where the click is.

    The residual flags a click's steep onset; its slower body and ringing predict well
    and stay under the threshold. So each span is first opened to ``_LONGEST_MS`` after
    its onset (never into the next span), the impulse is estimated over that, and the
    span is cut back to the last sample where the estimate is still a fifth of its peak.
    """
    reach = round(_LONGEST_MS * sample_rate / 1000)
    starts = [max(0, f - 2) for f, _ in spans]  # the click begins just before the flag
    wide = [(start, min(x.size, max(last + 1, start + reach), following))
            for start, (_, last), following in zip(starts, spans, starts[1:] + [x.size],
                                                   strict=True)]
    impulse = impulse_estimate(x, wide, coefficients, block=block)
    trimmed = []
    for first, last in wide:
        piece = np.abs(impulse[first:last])
        strong = np.flatnonzero(piece >= 0.2 * piece.max())
        trimmed.append((first, first + (int(strong[-1]) + 3 if strong.size else last - first)))
    return [(first, min(last, limit))
            for (first, last), (_, limit) in zip(trimmed, wide, strict=True)]


_LONGEST_MS = 3.0  # the widest click body the generator and the literature describe


def detect_impulses(audio: Audio, *, method: str = "ar", sensitivity: float = 1.0,
                    order: int = 24, block_ms: float = 50.0) -> ImpulseEvents:
    """Find clicks, pops and crackle in ``audio``, channel by channel.

    Parameters
    ----------
    audio : Audio
    method : {"ar", "derivative", "both"}
        The AR-residual detector, the derivative detector, or AR confirmed by the
        derivative detector.
    sensitivity : float
        0.1 to 10. The detection threshold is ``THRESHOLD / sensitivity`` robust
        standard deviations; higher finds fainter clicks, and more false ones.
    order : int
        AR model order (Godsill & Rayner suggest 20–40 for audio at 44.1 kHz).
    block_ms : float
        Length of the blocks the AR models and robust scales are fitted on.

    Returns
    -------
    ImpulseEvents
        Per-channel events (``channel`` 0, 1, ...); use :meth:`ImpulseEvents.joint`
        for one row per click across channels. Impulses whose estimated peak is below
        ``MIN_PEAK`` (-60 dBFS) are left out: at that level they are artefacts of near
        silence, not audible damage.
    """
    _check(method, sensitivity, order, block_ms)
    if not isinstance(audio, Audio):
        raise ParameterError(f"detect_impulses needs an Audio, got {type(audio).__name__}.")
    block = max(4 * order, round(block_ms * audio.sample_rate / 1000))
    threshold = THRESHOLD / sensitivity
    parts = []
    for channel, x in enumerate(audio.samples.astype(np.float64)):
        rows = _channel_events(x, method=method, threshold=threshold, order=order,
                               block=block, sample_rate=audio.sample_rate)
        if rows is not None:
            rows["channel"] = np.full(len(rows["start"]), channel)
            parts.append(ImpulseEvents(sample_rate=audio.sample_rate, frames=audio.frames,
                                       channels=audio.channels, **rows))
    if not parts:
        return ImpulseEvents.empty(sample_rate=audio.sample_rate, frames=audio.frames,
                                   channels=audio.channels)
    return ImpulseEvents.concatenate(parts)


THRESHOLD = 8.0  # robust standard deviations at sensitivity 1


def main(argv: list[str] | None = None) -> int:
    """``python -m restorekit.analysis.impulses FILE...``: the impulse report of each file."""
    from restorekit.cli import main as cli_main

    return cli_main(["analyze", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
