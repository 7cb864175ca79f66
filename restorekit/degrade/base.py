"""The degradation protocol: every degradation returns the damaged audio *and the truth*.

A restorer can only be judged when we know exactly what was done to the signal, so each
degradation reports the parameters it actually drew, every event it added (a click's
start, width, peak and polarity) and, for additive damage, the very signal it added.

The recipe follows audiomentations: first draw every random parameter from the caller's
generator, then apply them. The same generator state therefore always gives the same
output, and a :class:`Truth` records the state it started from so any step can be
replayed on its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from restorekit.audio import Audio, check_audio, frozen
from restorekit.checks import check_probability, check_range
from restorekit.errors import ParameterError

__all__ = ["Truth", "Degraded", "Degradation", "Compose", "OneOf", "SomeOf"]


@dataclass
class Truth:
    """What one degradation did.

    Attributes
    ----------
    name : str
        The degradation's name, e.g. ``"clicks"``.
    applied : bool
        False when the probability ``p`` skipped it.
    params : dict
        The parameters actually drawn (JSON-friendly numbers, strings and lists).
    events : dict of numpy.ndarray
        A column table of added events (e.g. ``start``, ``width``, ``peak``,
        ``polarity``), one row per event; positions and widths in frames.
    added : numpy.ndarray or None
        For additive degradations, the signal added, shaped like the audio (channels,
        frames), so that ``input + added == output``; ``None`` otherwise.
    rng_state : dict
        ``rng.bit_generator.state`` before this degradation drew anything.
    children : list of Truth
        For compositions, the truths of the parts that ran, in order.
    """

    name: str
    applied: bool = True
    params: dict[str, Any] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)
    added: np.ndarray | None = None
    rng_state: dict[str, Any] = field(default_factory=dict)
    children: list[Truth] = field(default_factory=list)

    def walk(self) -> Iterator[Truth]:
        """Yield this truth and every descendant, depth first, in the order applied."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, name: str) -> list[Truth]:
        """Every applied truth called ``name`` in this tree."""
        return [t for t in self.walk() if t.name == name and t.applied]

    def scaled(self, gain: float) -> Truth:
        """A copy with every added signal and event peak multiplied by ``gain``."""
        events = {k: (v * gain if k == "peak" else v) for k, v in self.events.items()}
        added = None if self.added is None else (self.added * np.float32(gain))
        return dataclasses.replace(self, events=events, added=added,
                                   children=[c.scaled(gain) for c in self.children])


@dataclass(frozen=True)
class Degraded:
    """A degraded signal, the clean signal it should be judged against, and the truth.

    Attributes
    ----------
    audio : Audio
        The damaged audio.
    clean : Audio
        The input to the degradation, scaled by any final gain (see
        :func:`restorekit.degrade.simulate_vinyl_artifacts`'s ``headroom_db``). For
        purely additive chains ``audio == clean + sum of truth.added``.
    truth : Truth
    """

    audio: Audio
    clean: Audio
    truth: Truth

    def added_total(self) -> np.ndarray:
        """Sum of every additive signal in the truth tree (zeros if none)."""
        total = np.zeros(self.clean.samples.shape, dtype=np.float64)
        for t in self.truth.walk():
            if t.added is not None and not t.children:
                total += t.added
        return total


class Degradation:
    """Base class: draw parameters, then apply them; skip with probability ``1 - p``.

    Subclasses set ``name`` and ``additive`` and implement :meth:`draw` (all randomness
    that does not depend on the signal's values) and :meth:`apply`. ``apply`` returns the
    output samples and a :class:`Truth` holding events and, for additive
    degradations, the added signal. It may draw further noise from ``rng``, but only
    after ``draw`` has run, so a parameter never depends on the signal.
    """

    name = "degradation"
    additive = False

    def __init__(self, *, p: float = 1.0) -> None:
        self.p = check_probability(p)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"

    def draw(self, audio: Audio, rng: np.random.Generator) -> dict[str, Any]:
        """Draw this degradation's random parameters for ``audio``."""
        return {}

    def apply(self, audio: Audio, params: Mapping[str, Any],
              rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        """Return the degraded samples and the truth for the drawn ``params``."""
        raise NotImplementedError

    def __call__(self, audio: Audio, rng: np.random.Generator) -> Degraded:
        check_audio(audio, who=self.name)
        if not isinstance(rng, np.random.Generator):
            raise ParameterError(f"{self.name} needs rng=numpy.random.Generator, got "
                                 f"{type(rng).__name__}.")
        state = rng.bit_generator.state
        if rng.random() >= self.p:
            return Degraded(audio, audio, Truth(self.name, applied=False, rng_state=state))
        params = self.draw(audio, rng)
        samples, truth = self.apply(audio, params, rng)
        truth.params = {**params_for_json(params), **truth.params}
        truth.rng_state = state
        # apply() made these samples for us alone, so Audio may keep them uncopied
        return Degraded(audio.with_samples(frozen(np.asarray(samples))), audio, truth)


def params_for_json(params: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the scalar and list parameters; per-event arrays belong in ``Truth.events``."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, np.ndarray):
            continue
        out[key] = value.item() if isinstance(value, np.generic) else value
    return out


class Compose(Degradation):
    """Apply degradations one after another; itself a degradation (pedalboard style)."""

    name = "compose"

    def __init__(self, degradations: Sequence[Degradation], *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.degradations = _check_parts(degradations)
        self.additive = all(d.additive for d in self.degradations)

    def _run(self, parts: Sequence[Degradation], audio: Audio,
             rng: np.random.Generator) -> tuple[np.ndarray, Truth]:
        truth = Truth(self.name)
        out = audio
        for part in parts:
            step = part(out, rng)
            out = step.audio
            truth.children.append(step.truth)
        if self.additive:
            truth.added = (out.samples.astype(np.float64) - audio.samples).astype(np.float32)
        return out.samples, truth

    def apply(self, audio, params, rng):
        return self._run(self.degradations, audio, rng)


class OneOf(Compose):
    """Apply exactly one of ``degradations``, chosen with probabilities ``weights``."""

    name = "one_of"

    def __init__(self, degradations: Sequence[Degradation], *,
                 weights: Sequence[float] | None = None, p: float = 1.0) -> None:
        super().__init__(degradations, p=p)
        w = np.ones(len(self.degradations)) if weights is None else np.asarray(weights, float)
        if w.shape != (len(self.degradations),) or not np.all(w >= 0) or w.sum() <= 0:
            raise ParameterError("weights must be one non-negative number per degradation, "
                                 "not all zero.")
        self.weights = w / w.sum()

    def draw(self, audio, rng):
        return {"chosen": [int(rng.choice(len(self.degradations), p=self.weights))]}

    def apply(self, audio, params, rng):
        return self._run([self.degradations[i] for i in params["chosen"]], audio, rng)


class SomeOf(Compose):
    """Apply between ``k[0]`` and ``k[1]`` of ``degradations``, in their listed order."""

    name = "some_of"

    def __init__(self, k: int | tuple[int, int], degradations: Sequence[Degradation], *,
                 p: float = 1.0) -> None:
        super().__init__(degradations, p=p)
        lo, hi = check_range(k, name="k", low=0, high=len(self.degradations))
        if lo != int(lo) or hi != int(hi):
            raise ParameterError(f"k must be whole numbers, got {k!r}.")
        self.k = (int(lo), int(hi))

    def draw(self, audio, rng):
        count = int(rng.integers(self.k[0], self.k[1] + 1))
        chosen = rng.choice(len(self.degradations), size=count, replace=False)
        return {"chosen": sorted(int(i) for i in chosen)}

    def apply(self, audio, params, rng):
        return self._run([self.degradations[i] for i in params["chosen"]], audio, rng)


def _check_parts(degradations: Sequence[Degradation]) -> list[Degradation]:
    parts = list(degradations)
    if not parts or not all(isinstance(d, Degradation) for d in parts):
        raise ParameterError("a composition needs a non-empty list of degradations.")
    return parts
