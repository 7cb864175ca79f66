"""Training pairs made on the fly: clean music, damaged by the 78rpm simulator.

Every item is drawn from its own generator, seeded by ``(seed, epoch, index)``, so an
item is the same whichever DataLoader worker makes it, in whatever order, and a resumed
run sees exactly the items it would have seen (the recipe of Lhotse and torchdata:
stateless, index-keyed randomness rather than a generator per worker).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch

from restorekit.audio import Audio
from restorekit.checks import check_integer, check_number
from restorekit.degrade import Degraded, random_severity, simulate_vinyl_artifacts
from restorekit.errors import ParameterError
from restorekit.train.sources import find_sources, load_sources

__all__ = ["AudioRestorationDataset", "impulse_mask", "random_78rpm"]

#: Peak level range of the clean chunks, dBFS, unless a dataset is told otherwise.
DEFAULT_GAIN_DB = (-18.0, -3.0)
#: The simulator's parts whose events are impulses (thumps are slow: not in the mask).
IMPULSE_PARTS = ("clicks", "crackle")


def random_78rpm(audio: Audio, rng: np.random.Generator) -> Degraded:
    """78rpm damage at a random severity (:func:`restorekit.degrade.random_severity`)."""
    return simulate_vinyl_artifacts(audio, rng=rng, **random_severity(rng))


def impulse_mask(degraded: Degraded) -> np.ndarray:
    """1 over every true click and crackle impulse (its whole kernel, ringing included)."""
    mask = np.zeros(degraded.audio.frames, np.float32)
    for part in IMPULSE_PARTS:
        for truth in degraded.truth.find(part):
            for start, length in zip(truth.events.get("start", ()),
                                     truth.events.get("length", ()), strict=False):
                mask[int(start): int(start) + int(length)] = 1.0
    return mask


class AudioRestorationDataset(torch.utils.data.Dataset):
    """Chunks of clean music with 78rpm damage added afresh for every item.

    Parameters
    ----------
    data_dir : path or list of paths
        Folders of clean audio (wav, flac, mp3, ogg), searched recursively; see
        :mod:`restorekit.train.sources` for the held-out rule.
    sample_rate : int
        Rate everything is resampled to.
    chunk_duration : float
        Seconds per item.
    add_artifacts : bool
        False gives clean/clean pairs (for checking a model leaves music alone).
    degradation : callable, optional
        ``f(audio, rng) -> Degraded``; by default :func:`random_78rpm` (impulse rate
        5-20 /s, largest click 0.3-0.8, noise and crackle drawn too).
    split : str
        ``"train"`` or ``"heldout"``.
    length : int
        Items per epoch.
    gain_db : (float, float)
        Range of the random level of the clean chunk's peak, in dBFS.
    clean_fraction : float
        Share of items left undamaged (degraded = clean, empty mask), which teach the
        model to leave clean music alone.
    seed : int
        With the epoch and the index, fixes every draw.

    Items are ``(degraded, clean, impulse_mask)``, each float32 shaped (1, frames).
    """

    def __init__(self, data_dir: str | Path | Iterable[str | Path], *,
                 sample_rate: int = 22050, chunk_duration: float = 2.0,
                 add_artifacts: bool = True,
                 degradation: Callable[[Audio, np.random.Generator], Degraded] | None = None,
                 split: str = "train", length: int = 1000,
                 gain_db: tuple[float, float] = DEFAULT_GAIN_DB, clean_fraction: float = 0.0,
                 seed: int = 0):
        folders = [data_dir] if isinstance(data_dir, (str, Path)) else list(data_dir)
        self.sample_rate = check_integer(sample_rate, name="sample_rate", low=8000,
                                         high=192000)
        check_number(chunk_duration, name="chunk_duration", low=0.05, high=60.0)
        self.frames = int(round(chunk_duration * sample_rate))
        self.length = check_integer(length, name="length", low=1, high=10**9)
        self.seed = check_integer(seed, name="seed", low=0, high=2**63 - 1)
        low, high = gain_db
        if not -60 <= low <= high <= 0:
            raise ParameterError(f"gain_db must be a range within -60..0 dBFS, got {gain_db}.")
        self.gain_db = (float(low), float(high))
        self.add_artifacts = bool(add_artifacts)
        self.clean_fraction = check_number(clean_fraction, name="clean_fraction", low=0.0,
                                           high=1.0)
        self.degradation = degradation or random_78rpm
        self.sources = load_sources(find_sources(folders), sample_rate=sample_rate,
                                    split=split)
        short = [name for name, x in self.sources if x.size < self.frames]
        if len(short) == len(self.sources):
            raise ParameterError(f"every {split} source is shorter than chunk_duration "
                                 f"{chunk_duration} s.")
        self.sources = [(n, x) for n, x in self.sources if x.size >= self.frames]
        sizes = np.array([x.size - self.frames + 1 for _, x in self.sources], float)
        self._weights = sizes / sizes.sum()  # every chunk position equally likely
        self.epoch = 0

    def variant(self, *, seed: int, length: int) -> AudioRestorationDataset:
        """The same sources, already loaded, drawn with another seed and length, at the
        default gain and with no undamaged items (the trainer's validation set)."""
        other = copy.copy(self)
        other.seed = check_integer(seed, name="seed", low=0, high=2**63 - 1)
        other.length = check_integer(length, name="length", low=1, high=10**9)
        other.gain_db, other.clean_fraction, other.epoch = DEFAULT_GAIN_DB, 0.0, 0
        return other

    def set_epoch(self, epoch: int) -> None:
        """Draw a new set of items (the trainer calls this before each epoch)."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.length

    def _clean_chunk(self, rng: np.random.Generator) -> np.ndarray:
        # a near-silent chunk (a pause, the end of a piece) teaches nothing: draw again
        for _ in range(8):
            _, samples = self.sources[rng.choice(len(self.sources), p=self._weights)]
            start = int(rng.integers(0, samples.size - self.frames + 1))
            chunk = samples[start: start + self.frames].astype(np.float64)
            peak = np.max(np.abs(chunk))
            if peak > 10 ** (-40 / 20):
                break
        gain = 10 ** (rng.uniform(*self.gain_db) / 20) / max(peak, 1e-9)
        return chunk * gain

    def draw(self, index: int) -> Degraded:
        """Item ``index`` of this epoch with its whole truth (validation wants the clicks)."""
        if not 0 <= index < self.length:
            raise IndexError(index)
        rng = np.random.default_rng([self.seed, self.epoch, int(index)])
        clean = Audio(self._clean_chunk(rng)[None].astype(np.float32), self.sample_rate)
        # drawn only when asked for, so a run without clean items sees the same stream
        undamaged = self.clean_fraction > 0 and rng.random() < self.clean_fraction
        if undamaged or not self.add_artifacts:
            from restorekit.degrade import Truth
            return Degraded(clean, clean, Truth("none"))
        return self.degradation(clean, rng)

    def __getitem__(self, index: int):
        damaged = self.draw(index)
        return (torch.tensor(damaged.audio.samples, dtype=torch.float32),
                torch.tensor(damaged.clean.samples, dtype=torch.float32),
                torch.from_numpy(impulse_mask(damaged)[None]))
