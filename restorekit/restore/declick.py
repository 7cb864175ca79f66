"""Declicking and decrackling: find impulses, then fill them by LSAR interpolation.

The detector is the analysis engine's AR-residual detector
(:func:`restorekit.analysis.impulses.detect_impulses`; Vaseghi & Rayner 1990, Godsill &
Rayner 1998 ch. 5); the fill is least-squares AR interpolation
(:func:`restorekit.restore.interpolate.repair_spans`; Janssen, Veldhuis & Vries 1986).

A click on a disc reaches both groove walls at once, so in a stereo transfer it is in
both channels, often much weaker in one. With ``linked=True`` (the default) a span
found in either channel is repaired in every channel.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.analysis.impulses import METHODS, detect_impulses
from restorekit.audio import Audio
from restorekit.checks import check_integer, check_number
from restorekit.errors import ParameterError
from restorekit.restore.base import Restorer
from restorekit.restore.interpolate import PENALTY, repair_spans

__all__ = ["Declick", "Decrackle"]

_PIECE_MS = 3.0  # the detector's piece (analysis.scores); blocks are whole pieces


class Declick(Restorer):
    """Remove clicks and scratches: AR-residual detection, then LSAR interpolation.

    Parameters
    ----------
    sensitivity : float
        Detector sensitivity, 0.1–10 (see :func:`~restorekit.analysis.detect_impulses`):
        higher finds fainter clicks and repairs more music by mistake.
    method : {"ar", "derivative", "both"}
        The detector.
    order : int
        AR order of the detector and of the short-span interpolation (10–60).
    block_ms : float
        Length of the blocks AR models are fitted on (rounded to whole 3 ms pieces).
    margin_ms, tail_ms : float
        Extra samples repaired before each detected onset and after its span (the
        click's foot and its last ringing, which the detector trims at a fifth of its
        peak).
    long_ms, long_order : float, int
        Spans longer than ``long_ms`` are scratches, filled with their own Burg model of
        ``long_order`` (see :func:`~restorekit.restore.interpolate.repair_spans`).
    refits : int
        Times the AR models are refitted on the repaired signal (0–3). None by
        default: on the benchmark's cases a refit changed SI-SDR by under 0.05 dB and
        cost 15 % more time.
    penalty : float
        How much likelihood gain per sample, in residual variances, a repair must
        bring: each span is cut to the length worth repairing, or left alone
        (:func:`~restorekit.restore.interpolate.choose_extents`; the default,
        :data:`~restorekit.restore.interpolate.PENALTY`, says how it was chosen).
    linked : bool
        Repair a span found in any channel in every channel.
    max_width_ms : float or None
        Ignore detections wider than this (``Decrackle`` keeps only short ones).
    mix : float
        Dry/wet, 0–1.
    """

    name = "declick"

    def __init__(self, *, sensitivity: float = 1.0, method: str = "ar", order: int = 20,
                 block_ms: float = 50.0, margin_ms: float = 0.1, tail_ms: float = 0.5,
                 long_ms: float = 5.0, long_order: int = 80, refits: int = 0,
                 penalty: float = PENALTY,
                 linked: bool = True, max_width_ms: float | None = None,
                 mix: float = 1.0):
        super().__init__(mix=mix)
        if method not in METHODS:
            raise ParameterError(f"method must be one of {', '.join(METHODS)}, got "
                                 f"{method!r}.")
        self.sensitivity = check_number(sensitivity, name="sensitivity", low=0.1, high=10.0)
        self.method = method
        self.order = check_integer(order, name="order", low=10, high=60)
        self.block_ms = check_number(block_ms, name="block_ms", low=10.0, high=500.0)
        self.margin_ms = check_number(margin_ms, name="margin_ms", low=0.0, high=5.0)
        self.tail_ms = check_number(tail_ms, name="tail_ms", low=0.0, high=10.0)
        self.long_ms = check_number(long_ms, name="long_ms", low=0.5, high=50.0)
        self.long_order = check_integer(long_order, name="long_order", low=10, high=400)
        self.refits = check_integer(refits, name="refits", low=0, high=3)
        self.penalty = check_number(penalty, name="penalty", low=0.5, high=100.0)
        self.linked = bool(linked)
        self.max_width_ms = (None if max_width_ms is None else
                             check_number(max_width_ms, name="max_width_ms", low=0.01,
                                          high=100.0))

    def _block(self, sample_rate: int) -> int:
        piece = max(8, round(_PIECE_MS * sample_rate / 1000))
        pieces = max(1, round(self.block_ms * sample_rate / 1000 / piece))
        return max(pieces, -(-4 * self.order // piece)) * piece

    def grid(self, sample_rate: int) -> int:
        return self._block(sample_rate)

    def context(self, sample_rate: int) -> int:
        # neighbouring blocks set the detector's local scale; a scratch's own model
        # reaches 8 long orders either side
        return 3 * self._block(sample_rate) + 10 * self.long_order

    def detect(self, x: np.ndarray, *, sample_rate: int) -> ImpulseEvents:
        """The impulses to repair in samples ``x`` (channels, frames)."""
        block = self._block(sample_rate)
        # the detector's own estimate of each impulse is not needed: the repair
        # chooses its extent and measures what it takes out
        return detect_impulses(Audio(x, sample_rate), method=self.method,
                               sensitivity=self.sensitivity, order=self.order,
                               block_ms=block * 1000 / sample_rate, measure=False)

    def _event_span(self, events: ImpulseEvents, *,
                    sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
        """The most of the signal each event may have repaired: ``[lo, hi)``."""
        margin = round(self.margin_ms * sample_rate / 1000)
        tail = round(self.tail_ms * sample_rate / 1000)
        # from just before the onset (where the detector fired hardest): a span is
        # then cut to length from its click's first sample, not from a quiet lead-in
        lo, hi = events.position - margin, events.start + events.width + tail
        if self.max_width_ms is not None:
            hi = np.minimum(hi, lo + margin + round(self.max_width_ms * sample_rate / 1000))
        return lo, hi

    def _process(self, audio, *, offset=0):
        rate = audio.sample_rate
        x = audio.samples.astype(np.float64)
        events = self.detect(audio.samples, sample_rate=rate)
        out = np.empty_like(x)
        filled = np.zeros(len(events), dtype=bool)
        lo, hi = self._event_span(events, sample_rate=rate)
        repaired = 0
        for c in range(audio.channels):
            mine = np.ones(len(events), bool) if self.linked else events.channel == c
            starts, ends = own_spans(lo[mine], hi[mine], size=audio.frames,
                                     join=round(_SAME_CLICK_MS * rate / 1000))
            done = repair_spans(x[c], starts, ends, sample_rate=rate, order=self.order,
                                block=self._block(rate), long_ms=self.long_ms,
                                long_order=self.long_order, refits=self.refits,
                                penalty=self.penalty)
            out[c] = done.samples
            repaired += int(np.sum(done.ends - done.starts))
            filled |= mine & _overlaps(lo, hi, done.starts, done.ends)
        # an event whose span was judged music, or not worth filling, was not repaired;
        # the others are described by what their repair took out
        events = _measured(events.select(filled), x - out, lo[filled], hi[filled])
        if self.linked and audio.channels > 1 and len(events):
            events = events.joint()
        report = {"impulses": len(events),
                  "per_second": len(events) / audio.duration,
                  "repaired_fraction": repaired / (audio.frames * audio.channels)}
        return out, events, report


_SAME_CLICK_MS = 0.25  # onsets this close are one click (as both channels see it)


def own_spans(lo: np.ndarray, hi: np.ndarray, *, size: int,
              join: int) -> tuple[np.ndarray, np.ndarray]:
    """Each detection's span ``[lo, hi)``, cut where the next detection begins.

    The repair grows each span from its start (:func:`~restorekit.restore.interpolate.
    choose_extents`), so every click must start a span of its own: merged with a faint
    detection just before it, a click would be judged from that one's start and could
    be left unrepaired. Onsets within ``join`` frames of each other are one click.
    Returns sorted, disjoint spans.
    """
    lo, hi = np.clip(lo, 0, size), np.clip(hi, 0, size)
    order = np.argsort(lo, kind="stable")
    lo, hi = lo[order], hi[order]
    if not lo.size:
        return lo, hi
    first = np.flatnonzero(np.append(True, np.diff(lo) > join))
    starts, ends = lo[first], np.maximum.reduceat(hi, first)
    ends = np.minimum(ends, np.append(starts[1:], size))
    keep = ends > starts
    return starts[keep], ends[keep]


def _measured(events: ImpulseEvents, removed: np.ndarray, lo: np.ndarray,
              hi: np.ndarray) -> ImpulseEvents:
    """``events`` with peak and polarity of what was removed in ``[lo, hi)``."""
    if not len(events):
        return events
    lo, hi = np.maximum(lo, 0), np.minimum(hi, removed.shape[1])
    channel = np.maximum(events.channel, 0)
    peak, sign = np.zeros(len(events)), np.ones(len(events), dtype=int)
    for i, (a, b, c) in enumerate(zip(lo, hi, channel, strict=True)):
        part = removed[:, a:b] if events.channel[i] < 0 else removed[c: c + 1, a:b]
        if part.size:
            at = np.unravel_index(np.argmax(np.abs(part)), part.shape)
            peak[i], sign[i] = abs(part[at]), 1 if part[at] >= 0 else -1
    return dataclasses.replace(events, peak=peak, polarity=sign)


def _overlaps(lo: np.ndarray, hi: np.ndarray, starts: np.ndarray,
              ends: np.ndarray) -> np.ndarray:
    """Which ``[lo, hi)`` meet one of the sorted, disjoint spans ``[start, end)``."""
    if not starts.size:
        return np.zeros(lo.shape, bool)
    # the last span starting before hi is the only candidate; it meets if it ends past lo
    i = np.searchsorted(starts, hi, side="left") - 1
    return (i >= 0) & (ends[np.maximum(i, 0)] > lo)


class Decrackle(Declick):
    """Remove crackle: dense, small, short impulses (Godsill & Rayner 1998, §5.5).

    The same detector and fill as :class:`Declick` tuned the other way: a higher
    sensitivity to reach the small impulses and only short repairs (``max_width_ms``).
    """

    name = "decrackle"

    def __init__(self, *, sensitivity: float = 1.5, max_width_ms: float = 1.0,
                 tail_ms: float = 0.25, **rest):
        super().__init__(sensitivity=sensitivity, max_width_ms=max_width_ms,
                         tail_ms=tail_ms, **rest)
