"""The restorer protocol: ``fit(noise)``, ``restore(audio) -> Restoration``, ``mix``.

Every restorer is an object with the same small surface, so a chain of them, a peer
tool and the do-nothing baseline can all sit in one benchmark table:

- ``fit(noise)`` (optional) learns from a stretch of the transfer's surface noise alone
  (the quietest groove, see :func:`restorekit.analysis.noise.find_quiet_segments`);
  it returns the restorer, so ``Dehiss().fit(noise).restore(audio)`` reads as it runs.
- ``restore(audio)`` returns a :class:`Restoration`: the restored audio, what was
  removed (``input - output``, sample for sample, so listening to it tells you at
  once whether music went with the damage), the events it repaired and a report.
- ``mix`` blends the restored ("wet") signal with the input ("dry"), 0 to 1, as on
  every restoration plug-in: archivists often keep a trace of the surface.

A :class:`Chain` is itself a restorer (pedalboard's design), so presets are chains.

Streaming. A long transfer is restored in blocks (:mod:`restorekit.restore.stream`).
For the result not to depend on the block size, every restorer states two lengths:
``context(sample_rate)``, how far either side of a sample the input can change the
output, and ``grid(sample_rate)``, the period of its internal framing (AR blocks, STFT
hops). The block driver hands the restorer windows that reach ``context`` past the part
it keeps, with their ``offset`` in the recording; each restorer starts its frames where
its grid falls in the whole recording (:meth:`Restorer.restore`), so every stage of a
chain keeps its own grid.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.audio import Audio, check_audio
from restorekit.checks import check_number
from restorekit.errors import ParameterError

__all__ = ["Restoration", "Restorer", "Identity", "Chain"]


@dataclass(frozen=True)
class Restoration:
    """What a restorer did to one signal.

    Attributes
    ----------
    audio : Audio
        The restored signal (after ``mix``), same shape and rate as the input.
    removed : Audio
        ``input - audio``: the damage taken out (and anything taken by mistake).
    events : ImpulseEvents
        The impulses repaired (empty for restorers that repair none).
    report : dict
        JSON-friendly figures about the run (counts, levels, parameters used), keyed by
        restorer name for chains.
    """

    audio: Audio
    removed: Audio
    events: ImpulseEvents
    report: dict[str, Any] = field(default_factory=dict)


class Restorer:
    """Base class of every restorer.

    Subclasses set ``name`` and implement :meth:`_process`, which returns the fully
    restored samples (float64, shaped like the input), the events repaired and a report.
    They override :meth:`fit`, :meth:`context` and :meth:`grid` when they need to.

    Parameters
    ----------
    mix : float
        Dry/wet balance, 0 (the input untouched) to 1 (fully restored).
    """

    name = "restorer"

    def __init__(self, *, mix: float = 1.0):
        self.mix = check_number(mix, name="mix", low=0.0, high=1.0)

    # -- the protocol ------------------------------------------------------------------
    def fit(self, noise: Audio) -> Restorer:
        """Learn from a stretch of surface noise alone; the base class needs nothing."""
        check_audio(noise, who=f"{type(self).__name__}.fit")
        return self

    def restore(self, audio: Audio, *, offset: int = 0) -> Restoration:
        """Restore ``audio``; see :class:`Restoration`.

        ``offset`` is the frame of the whole recording at which ``audio`` starts, when
        it is a window of a longer one (:mod:`restorekit.restore.stream`). A restorer
        whose framing has a period (``grid``) then starts its frames where that period
        falls in the whole recording, leaving the few frames before untouched: they
        lie in the window's context, which the caller throws away.
        """
        audio = check_audio(audio, who=f"{type(self).__name__}.restore")
        dry = audio.samples.astype(np.float64)
        rate = audio.sample_rate
        skip = -int(offset) % self.grid(rate)
        if skip and skip < audio.frames:
            wet, events, report = self._process(Audio(audio.samples[:, skip:], rate),
                                                offset=offset + skip)
            wet = np.concatenate([dry[:, :skip], wet], axis=1)
            if events is not None:
                events = dataclasses.replace(events, frames=audio.frames,
                                             start=events.start + skip,
                                             position=events.position + skip)
        else:
            wet, events, report = self._process(audio, offset=offset)
        out = wet if self.mix == 1.0 else self.mix * wet + (1.0 - self.mix) * dry
        restored = Audio(out, rate)
        removed = Audio(dry - restored.samples, rate)
        if events is None:
            events = ImpulseEvents.empty(sample_rate=rate, frames=audio.frames,
                                         channels=audio.channels)
        return Restoration(audio=restored, removed=removed, events=events,
                           report={"mix": self.mix, **report})

    def pass_noise(self, noise: Audio) -> Audio:
        """What this restorer makes of a noise excerpt, for the stages fitted after it."""
        return self.restore(noise).audio

    def context(self, sample_rate: int) -> int:
        """Frames either side of a sample whose input can change its output."""
        return 0

    def grid(self, sample_rate: int) -> int:
        """Period in frames of the restorer's internal framing (1: none)."""
        return 1

    def reach(self, sample_rate: int) -> int:
        """How far past the frames it keeps a window must extend to give them as a run
        on the whole recording would: the context, and the up to ``grid - 1`` frames
        :meth:`restore` leaves untouched at a window's start."""
        return self.context(sample_rate) + self.grid(sample_rate) - 1

    # -- for subclasses ----------------------------------------------------------------
    def _process(self, audio: Audio, *,
                 offset: int = 0) -> tuple[np.ndarray, ImpulseEvents | None, dict]:
        """The restored samples (float64), the events repaired (or None) and a report.

        ``audio`` starts on the restorer's grid; ``offset`` is where, for restorers
        that pass it on (:class:`Chain`).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({shown})"


class Identity(Restorer):
    """Changes nothing: the do-nothing baseline every comparison needs as a row."""

    name = "identity"

    def _process(self, audio, *, offset=0):
        return audio.samples.astype(np.float64), None, {}


class Chain(Restorer):
    """Restorers run one after another; itself a restorer (pedalboard's design).

    ``fit(noise)`` fits each stage on the noise as the stages before it left it, so a
    hiss reducer after a declicker learns the hiss without the clicks. The chain's
    ``mix`` blends its final output with its input; each stage keeps its own ``mix``.

    Parameters
    ----------
    restorers : sequence of Restorer
    mix : float
    """

    name = "chain"

    def __init__(self, restorers, *, mix: float = 1.0):
        super().__init__(mix=mix)
        restorers = list(restorers)
        for r in restorers:
            if not isinstance(r, Restorer):
                raise ParameterError(f"a Chain holds restorers, got {type(r).__name__}.")
        self.restorers = restorers

    def fit(self, noise: Audio) -> Chain:
        check_audio(noise, who="Chain.fit")
        for i, r in enumerate(self.restorers):
            r.fit(noise)
            if i + 1 < len(self.restorers):  # no stage after the last learns from it
                noise = r.pass_noise(noise)
        return self

    def _process(self, audio, *, offset=0):
        parts, report = [], {}
        for i, r in enumerate(self.restorers):
            done = r.restore(audio, offset=offset)
            audio = done.audio
            if len(done.events):
                parts.append(done.events)
            key = r.name if r.name not in report else f"{r.name}_{i}"
            report[key] = done.report
        events = ImpulseEvents.concatenate(parts) if parts else None
        return audio.samples.astype(np.float64), events, report

    def context(self, sample_rate: int) -> int:
        return sum(r.reach(sample_rate) for r in self.restorers)

    def __repr__(self) -> str:
        return f"Chain([{', '.join(map(repr, self.restorers))}], mix={self.mix!r})"
