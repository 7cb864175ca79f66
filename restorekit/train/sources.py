"""Clean sources for training and evaluation, with a held-out split by source.

A source is one clean recording. Sources, not chunks, are split: a model evaluated on
chunks of a piece it trained on has heard that piece, so its score says little about
the next transfer. The rule is simple and stable:

- in a folder that has a ``heldout`` subfolder, the files in it are held out and the
  others train (the rendered corpus puts one piece of each ensemble there);
- in ``../shared/data/clean`` the two pieces the restoration benchmark uses are held out
  (:data:`SHARED_HELD_OUT`), the other two train;
- any other file is held out when the first hex digit of the SHA-256 of its name is 0 or
  1 (an eighth of a large folder, the same eighth on every machine).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from restorekit.audio import Audio
from restorekit.errors import ParameterError

__all__ = ["Source", "find_sources", "load_sources", "AUDIO_SUFFIXES", "SHARED_HELD_OUT"]

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
SHARED_HELD_OUT = ("classical_strings_brahms_hungarian_dance5_us_army_strings",
                   "piano_holiznacc0_creepy_piano_1_excerpt")


@dataclass(frozen=True)
class Source:
    """One clean recording: where it is, and whether training may see it."""

    path: Path
    held_out: bool

    @property
    def name(self) -> str:
        return self.path.stem


def _held_out(path: Path, *, by_folder: bool) -> bool:
    if by_folder:
        return "heldout" in path.parts[:-1]
    if path.stem in SHARED_HELD_OUT:
        return True
    if path.parent.name == "clean" and path.parent.parent.name == "data":
        return False  # ../shared/data/clean: only the two above are held out
    return hashlib.sha256(path.name.encode()).hexdigest()[0] in "01"


def find_sources(folders: Iterable[str | Path]) -> list[Source]:
    """Every audio file under ``folders`` (recursively), sorted, with its split.

    Raises
    ------
    ParameterError
        When a folder does not exist or none of them holds audio.
    """
    found: list[Source] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise ParameterError(f"the clean-audio folder {folder} does not exist.")
        by_folder = (folder / "heldout").is_dir()  # the split is already made
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in AUDIO_SUFFIXES and path.is_file():
                found.append(Source(path, _held_out(path, by_folder=by_folder)))
    if not found:
        raise ParameterError(f"no audio ({', '.join(AUDIO_SUFFIXES)}) in "
                             f"{', '.join(map(str, folders))}.")
    return found


def load_sources(sources: Iterable[Source], *, sample_rate: int,
                 split: str = "train") -> list[tuple[str, np.ndarray]]:
    """Read the sources of ``split`` ("train", "heldout" or "all") as mono float32.

    Each file is mixed to mono and resampled to ``sample_rate`` (soxr, as
    :meth:`Audio.resample`). Returns ``(name, samples)`` pairs.
    """
    from restorekit.io import load

    if split not in ("train", "heldout", "all"):
        raise ParameterError(f"split must be 'train', 'heldout' or 'all', got {split!r}.")
    out = []
    for source in sources:
        if split != "all" and source.held_out != (split == "heldout"):
            continue
        audio: Audio = load(source.path)
        if audio.sample_rate != sample_rate:
            audio = audio.resample(sample_rate)
        out.append((source.name, audio.samples.mean(axis=0).astype(np.float32)))
    if not out:
        raise ParameterError(f"none of the clean sources is in the {split!r} split.")
    return out
