"""``Oracle``: declicking with the generator's truth, the upper bound for any detector.

Given where the simulator put every click (:mod:`restorekit.degrade`), the oracle fills
exactly those spans, body and ringing, by the same LSAR interpolation the declicker
uses (:func:`restorekit.restore.interpolate.repair_spans`), with nothing left to
judge. A declicker's distance from it is what its detection costs; the oracle's own
distance from the clean signal is what the interpolation costs.
"""

from __future__ import annotations

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.checks import check_integer
from restorekit.degrade.base import Truth
from restorekit.dsp.arrays import merge_spans
from restorekit.errors import ParameterError
from restorekit.restore.base import Restorer
from restorekit.restore.declick import Declick
from restorekit.restore.interpolate import repair_spans

__all__ = ["Oracle"]


class Oracle(Restorer):
    """Fill the true click spans of a simulated transfer.

    Parameters
    ----------
    truth : Truth
        The simulator's truth for the audio that will be restored (same frames).
    impulses : tuple of str
        Which degradations' events to fill: ``("clicks",)`` (clicks and scratches),
        optionally ``"crackle"`` too.
    order : int
        AR order of the interpolation, as :class:`~restorekit.restore.Declick`'s.
    mix : float
    """

    name = "oracle"

    def __init__(self, truth: Truth, *, impulses=("clicks",), order: int = 20,
                 mix: float = 1.0):
        super().__init__(mix=mix)
        if not isinstance(truth, Truth):
            raise ParameterError(f"Oracle needs the simulator's Truth, got "
                                 f"{type(truth).__name__}.")
        self.truth = truth
        self.impulses = tuple(impulses)
        self.order = check_integer(order, name="order", low=10, high=60)
        # the declicker's block layout, so the two differ only in what they fill
        self._layout = Declick(order=self.order)

    def pass_noise(self, noise):
        # the truth is that of the music, not of a noise excerpt: nothing is known there
        return noise

    def _spans(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        starts, ends, positions = [], [], []
        for name in self.impulses:
            for t in self.truth.find(name):
                starts.append(t.events["start"])
                ends.append(t.events["start"] + t.events["length"])
                positions.append(t.events["position"])
        if not starts:
            return (np.zeros(0, np.int64),) * 3
        return (np.concatenate(starts), np.concatenate(ends),
                np.sort(np.concatenate(positions)))

    def _process(self, audio, *, offset=0):
        rate = audio.sample_rate
        first, last, positions = self._spans()
        if positions.size and positions.max() >= audio.frames:
            raise ParameterError(f"the Oracle's truth has events up to frame "
                                 f"{positions.max()}, past this audio's {audio.frames} "
                                 "frames: give it the truth of this very signal.")
        starts, ends = merge_spans(first, last, gap=0, size=audio.frames)
        x = audio.samples.astype(np.float64)
        out = np.stack([repair_spans(channel, starts, ends, sample_rate=rate,
                                     order=self.order, block=self._layout.grid(rate),
                                     penalty=None, novelty=None).samples
                        for channel in x])
        # one event per true click, spanning the (merged) span it was filled in
        span = np.maximum(np.searchsorted(starts, positions, side="right") - 1, 0)
        n = positions.size
        events = ImpulseEvents(
            sample_rate=rate, frames=audio.frames, channels=audio.channels,
            start=starts[span], width=(ends - starts)[span], position=positions,
            peak=np.full(n, np.nan), polarity=np.zeros(n, int), channel=np.full(n, -1),
            ringing_ms=np.full(n, np.nan), score=np.full(n, np.inf))
        return out, events, {"impulses": n, "spans": int(starts.size)}
