"""Methods: anything that turns damaged audio into restored audio, timed and measured.

A benchmark runs *methods*, not restorers, so that our restorers, tools run as commands
(ffmpeg, grooveclean) and in-process peers (noisereduce) sit in one table. A method
has a ``name``, says whether it can run here (:meth:`Method.available`) and runs on
one signal (:meth:`Method.run`), returning an :class:`Outcome`: the restored audio, the
clicks it reports (if it reports any), the seconds it took and its peak memory.

- :class:`RestorerMethod` wraps any :class:`~restorekit.restore.base.Restorer` and runs
  it in this process.
- :class:`CaseMethod` builds its restorer from the case being scored, for methods that
  need more than the audio (the oracle, which is given the truth).
- :class:`~restorekit.evaluate.command.CommandMethod` runs an external command on a
  temporary WAV file.

How time and memory are measured differs by kind, and the outcome says which
(``Outcome.memory``): in-process methods report the peak of the *Python heap* traced by
:mod:`tracemalloc` (numpy arrays are traced, memory that C/C++ libraries such as torch
allocate themselves is not), commands the peak *resident set size* of the child process
(``ru_maxrss`` from ``os.wait4``). Compare memory only between methods of one kind.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import importlib.util
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from restorekit.analysis.events import ImpulseEvents
from restorekit.audio import Audio, check_audio
from restorekit.errors import ParameterError, RestorekitError
from restorekit.restore.base import Restorer

if TYPE_CHECKING:
    from restorekit.evaluate.cases import Case

__all__ = ["Outcome", "Method", "MethodError", "RestorerMethod", "CaseMethod",
           "reported_positions", "missing_modules"]

#: What ``Outcome.memory`` may say the peak memory figure is.
MEMORY_KINDS = ("python-heap", "rss", "")

EVENT_MODES = ("auto", "reported", "removed")


class MethodError(RestorekitError):
    """A method could not run or failed on a signal (a command exited non-zero, ...)."""


@dataclass(frozen=True)
class Outcome:
    """What one run of a method on one signal gave.

    Attributes
    ----------
    audio : Audio
        The restored signal, same shape and rate as the input.
    events : numpy.ndarray or None
        Frames (int64) of the clicks the method says it repaired, one per click across
        channels; ``None`` when it reports none, in which case the benchmark finds them
        in what it removed (:func:`restorekit.evaluate.removed.events_in_removed`).
    seconds : float
        Wall-clock seconds of the processing alone (see each method for what that covers).
    peak_memory : int or None
        Peak memory in bytes, of the kind ``memory`` names; ``None`` if not measured.
    memory : str
        ``"python-heap"`` (tracemalloc), ``"rss"`` (child process resident set) or ``""``.
    report : dict
        JSON-friendly extras (a restorer's report, a command's line).
    """

    audio: Audio
    events: np.ndarray | None
    seconds: float
    peak_memory: int | None = None
    memory: str = ""
    report: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.memory not in MEMORY_KINDS:
            raise ParameterError(f"Outcome.memory must be one of {MEMORY_KINDS}, got "
                                 f"{self.memory!r}.")
        if self.events is not None:
            events = np.sort(np.asarray(self.events, dtype=np.int64).reshape(-1))
            events.flags.writeable = False
            object.__setattr__(self, "events", events)


@runtime_checkable
class Method(Protocol):
    """What :func:`restorekit.evaluate.benchmark` needs of a method.

    ``available()`` returns ``None`` when the method can run here, else one sentence
    saying what is missing and how to get it. ``run(audio, case=...)`` restores one
    signal; the benchmark always passes the :class:`~restorekit.evaluate.cases.Case`
    being scored, and most methods ignore it.
    """

    name: str

    def available(self) -> str | None: ...

    def run(self, audio: Audio, *, case: Case | None = None) -> Outcome: ...


def missing_modules(modules: Sequence[str]) -> str | None:
    """A sentence naming the modules of ``modules`` that cannot be imported, or None."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    return f"needs the Python package(s) {', '.join(missing)}: pip install {' '.join(missing)}"


def reported_positions(events: ImpulseEvents) -> np.ndarray:
    """One frame per click from a restorer's events, channels merged.

    Per-channel detections of one click are merged into one joint event
    (:meth:`~restorekit.analysis.events.ImpulseEvents.joint`), because the true clicks
    of a case are counted once however many channels they reach.
    """
    if len(events) == 0:
        return np.zeros(0, dtype=np.int64)
    if np.any(events.channel != -1):
        events = events.joint()
    return np.asarray(events.position, dtype=np.int64)


class _TracedPeak:
    """Context manager: peak tracemalloc'd bytes above the level on entry."""

    def __enter__(self) -> _TracedPeak:
        self._started = not tracemalloc.is_tracing()
        if self._started:
            tracemalloc.start()
        self._base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        self.peak = 0
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak = max(0, tracemalloc.get_traced_memory()[1] - self._base)
        if self._started:
            tracemalloc.stop()


class RestorerMethod:
    """Run a restorer in this process, timing it and tracing its memory.

    Parameters
    ----------
    restorer : Restorer
        Anything with ``restore(audio) -> Restoration``.
    name : str, optional
        Label in tables; by default the restorer's ``name``.
    events : {"auto", "reported", "removed"}
        Which clicks to score: ``"reported"`` takes the restorer's ``Restoration.events``
        (none reported means none found); ``"removed"`` ignores them, so the benchmark
        finds clicks in the removed signal; ``"auto"`` (default) takes the reported
        events when there are any, else behaves as ``"removed"`` (restorers that repair
        no events, such as noise reducers, report none).
    trace_memory : bool
        Measure the peak with :mod:`tracemalloc`. It hooks every allocation, so the
        seconds include its overhead (small for numpy-heavy code, which allocates few
        large arrays; large for code creating many small Python objects). Turn it off
        for timings only.
    requires : sequence of str
        Python modules the restorer imports when it runs; :meth:`available` names the
        missing ones, and :meth:`run` imports them before it starts the clock, so the
        first case does not pay for the import.

    Notes
    -----
    ``seconds`` is :func:`time.perf_counter` around ``restore`` alone. ``peak_memory`` is
    the peak of the Python heap (including numpy buffers) above its level at the start,
    from :func:`tracemalloc.get_traced_memory`; memory that native libraries allocate
    with their own allocators (torch tensors, FFTW plans) is not included.
    """

    def __init__(self, restorer: Restorer, *, name: str | None = None, events: str = "auto",
                 trace_memory: bool = True, requires: Sequence[str] = ()):
        if not callable(getattr(restorer, "restore", None)):
            raise ParameterError(f"RestorerMethod needs a restorer with restore(audio), got "
                                 f"{type(restorer).__name__}.")
        if events not in EVENT_MODES:
            raise ParameterError(f"events must be one of {EVENT_MODES}, got {events!r}.")
        self.restorer = restorer
        self.name = name or getattr(restorer, "name", type(restorer).__name__)
        self.events = events
        self.trace_memory = bool(trace_memory)
        self.requires = tuple(requires)

    def available(self) -> str | None:
        """None when every module in ``requires`` can be imported, else what is missing."""
        return missing_modules(self.requires)

    def run(self, audio: Audio, *, case: Case | None = None) -> Outcome:
        """Restore ``audio``, fitted first on the case's lead-in noise when it has one.

        Each run works on a fresh copy of the restorer, so nothing one case taught it
        carries over to the next. Fitting is timed with the restoring.
        """
        audio = check_audio(audio, who=f"method {self.name!r}")
        for module in self.requires:  # imported untimed: a run measures restoring alone
            importlib.import_module(module)
        restorer = copy.deepcopy(self.restorer)
        noise = None if case is None else case.noise
        tracer = _TracedPeak() if self.trace_memory else None
        with tracer if tracer is not None else contextlib.nullcontext():
            started = time.perf_counter()
            if noise is not None and callable(getattr(restorer, "fit", None)):
                restorer.fit(noise)
            restoration = restorer.restore(audio)
            seconds = time.perf_counter() - started
        restored = restoration.audio
        if restored.samples.shape != audio.samples.shape:
            raise MethodError(f"method {self.name!r} returned shape "
                              f"{restored.samples.shape} for input {audio.samples.shape}; a "
                              "restorer must keep the shape.")
        events = None
        if self.events != "removed":
            positions = reported_positions(restoration.events)
            if positions.size or self.events == "reported":
                events = positions
        return Outcome(audio=restored, events=events, seconds=seconds,
                       peak_memory=None if tracer is None else tracer.peak,
                       memory="" if tracer is None else "python-heap",
                       report=dict(restoration.report))

    def __repr__(self) -> str:
        return f"RestorerMethod({self.restorer!r}, name={self.name!r})"


class CaseMethod:
    """A restorer built afresh for each case from the case itself (e.g. the oracle).

    Parameters
    ----------
    name : str
        Label in tables.
    make : callable
        ``make(case) -> Restorer``; e.g. ``lambda case: Oracle(case.truth)``. Building it
        is not timed; its ``restore`` is, as in :class:`RestorerMethod`.
    available : callable, optional
        ``available() -> str | None``: why the method cannot run here (e.g. its module
        is missing), or None.
    needs_truth : bool
        Refuse cases without a ``truth`` (the default, as for the oracle).
    **options
        Passed to :class:`RestorerMethod` (``events``, ``trace_memory``).
    """

    def __init__(self, name: str, make: Callable[[Case], Restorer], *,
                 available: Callable[[], str | None] | None = None,
                 needs_truth: bool = True, **options: Any):
        if not isinstance(name, str) or not name:
            raise ParameterError(f"a method needs a non-empty name, got {name!r}.")
        if not callable(make):
            raise ParameterError(f"CaseMethod {name!r}: make must be callable, got "
                                 f"{type(make).__name__}.")
        self.name = name
        self.make = make
        self._available = available
        self.needs_truth = bool(needs_truth)
        self.options = options

    def available(self) -> str | None:
        """What the ``available`` callable says (None if none was given)."""
        return None if self._available is None else self._available()

    def run(self, audio: Audio, *, case: Case | None = None) -> Outcome:
        """Build the restorer from ``case`` and restore ``audio`` with it."""
        if case is None:
            raise MethodError(f"method {self.name!r} is built from the case being scored; "
                              "call run(audio, case=case).")
        if self.needs_truth and case.truth is None:
            raise MethodError(f"method {self.name!r} needs the case's truth, and case "
                              f"{case.name!r} has none; make it with make_case.")
        method = RestorerMethod(self.make(case), name=self.name, **self.options)
        return method.run(audio, case=case)

    def __repr__(self) -> str:
        return f"CaseMethod({self.name!r}, {self.make!r})"
