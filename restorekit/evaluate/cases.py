"""Benchmark cases: a damaged signal, the clean signal it should become, and the truth.

A :class:`Case` is what every method in a benchmark is judged on. :func:`make_case`
builds one from clean music with the 78rpm simulator
(:func:`restorekit.degrade.simulate_vinyl_artifacts`), so the clean reference and the
positions of the clicks are known exactly.

Which impulses count as clicks. ``Case.clicks`` holds the peak frames of the
simulator's *clicks and scratches* only (``truth.find("clicks")``), not of its crackle.
Crackle is a rain of hundreds of tiny impulses per second at about the level of the
surface noise; counting each as a click to be found would turn the click F1 score into
a crackle-detection score that no declicker is designed to win. What a restorer does to
the crackle still shows in the signal metrics (SNR, SI-SDR, LSD), which compare with
the clean signal, crackle-free. A declicker that also repairs crackle (ffmpeg's
``adeclick`` does) loses click *precision* for it; pass ``impulses=("clicks", "crackle")``
to :func:`make_case` to score crackle as clicks too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from restorekit.audio import Audio
from restorekit.checks import check_integer
from restorekit.degrade import PRESETS, Truth, simulate_vinyl_artifacts
from restorekit.errors import ParameterError

__all__ = ["Case", "make_case", "click_positions"]


@dataclass(frozen=True, eq=False)
class Case:
    """One benchmark item: damaged audio, its clean reference and the true clicks.

    Attributes
    ----------
    name : str
        Unique label of the case in a benchmark table.
    degraded : Audio
        What a method is given.
    clean : Audio
        What a perfect method would give back: same shape and rate as ``degraded``.
    clicks : numpy.ndarray
        Sorted frames (int64) of the peaks of the true clicks and scratches (crackle is
        not counted; see the module notes). Empty when unknown or none.
    truth : Truth, optional
        The simulator's full record, for methods that need it (the oracle).
    preset : str, optional
        Name of the damage preset (``"custom"`` for hand-set parameters).
    source : str, optional
        Name of the clean recording.
    seed : int, optional
        Seed of the generator that drew the damage.
    noise : Audio, optional
        A lead-in groove: the same surface damage on silence, as a transfer's first
        seconds hold before the music. Restorers are fitted on it (``fit(noise)``).
    neutral : numpy.ndarray
        Frames of impulses that are real damage but not clicks (the crackle): a
        repair there is neither a hit nor a false alarm in click scores.
    """

    name: str
    degraded: Audio
    clean: Audio
    clicks: np.ndarray
    truth: Truth | None = None
    preset: str | None = None
    source: str | None = None
    seed: int | None = None
    noise: Audio | None = None
    neutral: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(f"a case needs a non-empty name, got {self.name!r}.")
        for field_name in ("degraded", "clean"):
            if not isinstance(getattr(self, field_name), Audio):
                raise ParameterError(f"case {self.name!r}: {field_name} must be an Audio, "
                                     f"got {type(getattr(self, field_name)).__name__}.")
        if (self.degraded.samples.shape != self.clean.samples.shape
                or self.degraded.sample_rate != self.clean.sample_rate):
            raise ParameterError(f"case {self.name!r}: degraded {self.degraded!r} and clean "
                                 f"{self.clean!r} must have the same shape and rate.")
        clicks = np.sort(np.asarray(self.clicks, dtype=np.int64).reshape(-1))
        if clicks.size and (clicks[0] < 0 or clicks[-1] >= self.degraded.frames):
            raise ParameterError(f"case {self.name!r}: click positions must be frames from 0 "
                                 f"to {self.degraded.frames - 1}.")
        clicks.flags.writeable = False
        object.__setattr__(self, "clicks", clicks)
        neutral = np.sort(np.asarray(self.neutral, dtype=np.int64).reshape(-1))
        neutral.flags.writeable = False
        object.__setattr__(self, "neutral", neutral)
        if self.noise is not None and (
                not isinstance(self.noise, Audio)
                or self.noise.sample_rate != self.degraded.sample_rate
                or self.noise.channels != self.degraded.channels):
            raise ParameterError(f"case {self.name!r}: noise must be an Audio with the "
                                 "degraded audio's rate and channels.")

    @property
    def sample_rate(self) -> int:
        """Sample rate of both signals, in Hz."""
        return self.degraded.sample_rate

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.degraded.duration

    def __repr__(self) -> str:
        return (f"Case(name={self.name!r}, preset={self.preset!r}, clicks={self.clicks.size}, "
                f"{self.degraded!r})")


def click_positions(truth: Truth, *, impulses: Sequence[str] = ("clicks",)) -> np.ndarray:
    """Peak frames of the impulses the simulator added, sorted (int64).

    Reads ``position`` (the frame of each event's largest magnitude) of every applied
    truth named in ``impulses``: by default ``"clicks"`` (clicks and scratches) alone;
    add ``"crackle"`` (or ``"thumps"``) to count those too.
    """
    parts = [np.asarray(t.events.get("position", ()), dtype=np.int64)
             for name in impulses for t in truth.find(name)]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def make_case(clean: Audio, *, preset: str | Mapping[str, Any] = "default", seed: int,
              name: str | None = None, source: str | None = None,
              impulses: Sequence[str] = ("clicks",), lead_in: float = 2.0) -> Case:
    """Damage ``clean`` with the 78rpm simulator and return the benchmark case.

    Parameters
    ----------
    clean : Audio
        Clean music.
    preset : str or mapping
        A name in :data:`restorekit.degrade.PRESETS` (``"light"``, ``"default"``,
        ``"heavy"``), or the simulator's keyword arguments themselves (recorded as
        ``"custom"``).
    seed : int
        Seed of the generator that draws the damage: the same seed, the same case.
    name : str, optional
        Label in tables; by default ``"{source}-{preset}-{seed}"``.
    source : str, optional
        Name of the clean recording; by default the stem of ``clean.source``, else
        ``"audio"``.
    impulses : sequence of str
        Which of the simulator's impulses are the clicks to find (see
        :func:`click_positions`); crackle is left out by default (see the module notes)
        and its impulses are the case's ``neutral`` ones.
    lead_in : float
        Seconds of lead-in groove (the same damage on silence, from the next seed) to
        give as the case's ``noise``; 0 for none.

    Returns
    -------
    Case
        ``clean`` is the simulator's clean output (the input scaled by the same
        headroom gain as the damage), so ``degraded - clean`` is exactly the damage.

    Examples
    --------
    >>> import numpy as np
    >>> from restorekit.synth import synthesize_music
    >>> music = synthesize_music(sample_rate=22050, duration=1.0,
    ...                          rng=np.random.default_rng(0))
    >>> case = make_case(music, preset="heavy", seed=3, source="synth")
    >>> case.name, case.clicks.size > 5
    ('synth-heavy-3', True)
    """
    if not isinstance(clean, Audio):
        raise ParameterError(f"make_case needs clean Audio, got {type(clean).__name__}.")
    seed = check_integer(seed, name="seed", low=0, high=2**63 - 1)
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise ParameterError(f"unknown preset {preset!r}; choose one of "
                                 f"{', '.join(PRESETS)} or pass the parameters.")
        preset_name, params = preset, PRESETS[preset]
    elif isinstance(preset, Mapping):
        preset_name, params = "custom", dict(preset)
    else:
        raise ParameterError(f"preset must be a preset name or a mapping of simulator "
                             f"parameters, got {type(preset).__name__}.")
    if source is None:
        source = clean.source.stem if clean.source is not None else "audio"
    damaged = simulate_vinyl_artifacts(clean, rng=np.random.default_rng(seed), **params)
    noise = None
    if lead_in > 0:
        silence = Audio(np.zeros((clean.channels, round(lead_in * clean.sample_rate))),
                        clean.sample_rate)
        noise = simulate_vinyl_artifacts(silence, rng=np.random.default_rng(seed + 1),
                                         **params).audio
    others = tuple(n for n in ("clicks", "crackle") if n not in impulses)
    return Case(name=name or f"{source}-{preset_name}-{seed}", degraded=damaged.audio,
                clean=damaged.clean,
                clicks=click_positions(damaged.truth, impulses=impulses),
                truth=damaged.truth, preset=preset_name, source=source, seed=seed,
                noise=noise, neutral=click_positions(damaged.truth, impulses=others))
