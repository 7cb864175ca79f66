"""``ImpulseEvents``: a column table of detected clicks, per channel and joint."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from restorekit.errors import ParameterError

__all__ = ["ImpulseEvents"]

_COLUMNS = ("start", "width", "position", "peak", "polarity", "channel", "ringing_ms",
            "score")


@dataclass(frozen=True)
class ImpulseEvents:
    """Impulses found in a signal, one row per event.

    Attributes
    ----------
    sample_rate, frames, channels : int
        Of the signal the events were found in.
    start, width : numpy.ndarray of int
        First frame of each event and its length in frames.
    position : numpy.ndarray of int
        Frame where the detector's statistic peaks, at the click's steep onset (what
        event metrics match on).
    peak : numpy.ndarray of float
        Estimated peak amplitude of the impulse itself, above the music (full scale 1).
    polarity : numpy.ndarray of int
        +1 or -1: the sign of that largest excursion.
    channel : numpy.ndarray of int
        The channel it was found in, or -1 for a joint event (see :meth:`joint`).
    ringing_ms : numpy.ndarray of float
        Time for the impulse's envelope to fall to 1/e after its peak (NaN if unknown).
    score : numpy.ndarray of float
        Detection strength: how many robust standard deviations the detector's
        statistic reached.
    """

    sample_rate: int
    frames: int
    channels: int
    start: np.ndarray
    width: np.ndarray
    position: np.ndarray
    peak: np.ndarray
    polarity: np.ndarray
    channel: np.ndarray
    ringing_ms: np.ndarray
    score: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.start)
        for name in _COLUMNS:
            column = np.asarray(getattr(self, name))
            if column.shape != (n,):
                raise ParameterError(f"ImpulseEvents.{name} must have one value per event "
                                     f"({n}), got shape {column.shape}.")
            object.__setattr__(self, name, column)

    @classmethod
    def empty(cls, *, sample_rate: int, frames: int, channels: int) -> ImpulseEvents:
        """No events."""
        columns = {name: np.zeros(0, float if name in ("peak", "ringing_ms", "score")
                                  else int) for name in _COLUMNS}
        return cls(sample_rate=sample_rate, frames=frames, channels=channels, **columns)

    @classmethod
    def concatenate(cls, parts: list[ImpulseEvents]) -> ImpulseEvents:
        """Stack event tables of the same signal, sorted by position."""
        if not parts:
            raise ParameterError("concatenate needs at least one ImpulseEvents.")
        first = parts[0]
        columns = {name: np.concatenate([getattr(p, name) for p in parts])
                   for name in _COLUMNS}
        order = np.argsort(columns["position"], kind="stable")
        return cls(sample_rate=first.sample_rate, frames=first.frames, channels=first.channels,
                   **{name: column[order] for name, column in columns.items()})

    def __len__(self) -> int:
        return len(self.start)

    @property
    def positions(self) -> np.ndarray:
        """Peak frames, for :mod:`restorekit.metrics` click matching."""
        return self.position

    @property
    def duration(self) -> float:
        """Length in seconds of the signal searched."""
        return self.frames / self.sample_rate

    def select(self, keep: np.ndarray) -> ImpulseEvents:
        """The rows where ``keep`` (a boolean mask or index array) says so."""
        return type(self)(sample_rate=self.sample_rate, frames=self.frames,
                          channels=self.channels,
                          **{name: getattr(self, name)[keep] for name in _COLUMNS})

    def for_channel(self, channel: int) -> ImpulseEvents:
        """Events found in one channel."""
        return self.select(self.channel == channel)

    def joint(self, *, merge_ms: float = 1.0) -> ImpulseEvents:
        """One event per click, merging the channels' detections within ``merge_ms``.

        A click on a disc reaches every channel of the transfer at nearly the same time;
        the merged event spans all its channels' spans and keeps the values of the
        channel with the largest peak. Joint events have ``channel == -1``.
        """
        if len(self) == 0:
            return self
        order = np.argsort(self.position, kind="stable")
        events = self.select(order)
        gap = round(merge_ms * self.sample_rate / 1000)
        new_group = np.concatenate([[True], np.diff(events.position) > gap])
        group = np.cumsum(new_group) - 1
        count = group[-1] + 1
        # the loudest member of each group speaks for it
        best = np.full(count, -1)
        loudest = np.full(count, -np.inf)
        for i, (g, p) in enumerate(zip(group, events.peak, strict=True)):
            if p > loudest[g]:
                loudest[g], best[g] = p, i
        merged = events.select(best)
        first = np.full(count, np.iinfo(np.int64).max)
        last = np.zeros(count, dtype=np.int64)
        np.minimum.at(first, group, events.start)
        np.maximum.at(last, group, events.start + events.width)
        return type(self)(sample_rate=self.sample_rate, frames=self.frames,
                          channels=self.channels, start=first, width=last - first,
                          position=merged.position, peak=merged.peak,
                          polarity=merged.polarity, channel=np.full(count, -1),
                          ringing_ms=merged.ringing_ms, score=merged.score)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly columns."""
        record: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in record.items()}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> ImpulseEvents:
        """Inverse of :meth:`to_dict`."""
        ints = ("start", "width", "position", "polarity", "channel")
        columns = {name: np.asarray(record[name], dtype=int if name in ints else float)
                   for name in _COLUMNS}
        return cls(sample_rate=int(record["sample_rate"]), frames=int(record["frames"]),
                   channels=int(record["channels"]), **columns)
