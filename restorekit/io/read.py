"""Reading audio files: ``info``, ``load`` and ``blocks``.

Every problem with an input is found here and named in one sentence, rather than passed
on as silence, a shorter signal or NaN: missing paths, folders, empty files, files that
are not audio, truncated files (the header promises more than the file holds), absurd
header values and non-finite samples.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from restorekit.audio import (
    MAX_CHANNELS,
    MAX_SAMPLE_RATE,
    MIN_SAMPLE_RATE,
    Audio,
    check_seconds,
    frozen,
)
from restorekit.errors import AudioFormatError, ParameterError
from restorekit.io.headers import declared_data_bytes

__all__ = ["AudioInfo", "Block", "info", "load", "blocks", "read_chunks"]

_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32,
         "FLOAT": 32, "DOUBLE": 64, "ULAW": 8, "ALAW": 8}
_LOSSY = {"VORBIS", "OPUS", "MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III"}
_FIX = "re-copy it from its source or re-transfer the recording"


@dataclass(frozen=True)
class AudioInfo:
    """What a file's header says, checked for sanity.

    Attributes
    ----------
    path : pathlib.Path
    format, subtype : str
        libsndfile's names, e.g. ``"WAV"`` and ``"PCM_24"``.
    sample_rate, channels, frames : int
    """

    path: Path
    format: str
    subtype: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    @property
    def bits(self) -> int | None:
        """Bits per sample for PCM and float subtypes; ``None`` for lossy codecs."""
        return _BITS.get(self.subtype)

    @property
    def is_float(self) -> bool:
        """True when samples are stored as floating point (and so may hold NaN/Inf)."""
        return self.subtype in ("FLOAT", "DOUBLE")

    @property
    def lossy(self) -> bool:
        """True for perceptual codecs (MP3, Vorbis, Opus)."""
        return self.subtype in _LOSSY


@dataclass(frozen=True)
class Block:
    """One piece of a long file, with context on each side for processing seams.

    Attributes
    ----------
    audio : Audio
        The samples of this block including the overlap context.
    start : int
        File frame of ``audio``'s first sample.
    core : slice
        The frames of ``audio`` this block owns; concatenating every block's
        ``audio.samples[:, core]`` gives back the whole file exactly.
    index : int
        0 for the first block.
    """

    audio: Audio
    start: int
    core: slice
    index: int

    @property
    def core_samples(self) -> np.ndarray:
        """The owned part of the samples, shaped (channels, frames)."""
        return self.audio.samples[:, self.core]


def _check_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.exists():
        raise AudioFormatError(f"{path} does not exist; check the spelling and the folder.")
    if path.is_dir():
        raise AudioFormatError(f"{path} is a folder, not an audio file; name a file in it.")
    if not os.access(path, os.R_OK):
        raise AudioFormatError(f"{path} cannot be read (permission denied); check its "
                               "permissions.")
    if path.stat().st_size == 0:
        raise AudioFormatError(f"{path} is empty (0 bytes); {_FIX}.")
    return path


_stderr_lock = threading.Lock()


@contextlib.contextmanager
def _quiet_decoder(subtype: str):
    """Keep libmpg123's own stderr chatter about benign MP3 quirks off the terminal.

    The decoder writes straight to file descriptor 2, below Python, so the descriptor
    itself is pointed at a scratch file for the length of one libsndfile call (never
    across a ``yield``, so interleaved readers cannot block each other).
    """
    if subtype != "MPEG_LAYER_III":
        yield
        return
    with _stderr_lock, tempfile.TemporaryFile() as scratch:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def info(path: str | os.PathLike) -> AudioInfo:
    """Read and check a file's header.

    Parameters
    ----------
    path : str or os.PathLike
        A WAV, RF64, FLAC, AIFF, OGG or MP3 file (anything libsndfile reads).

    Returns
    -------
    AudioInfo

    Raises
    ------
    AudioFormatError
        For a missing path, a folder, an empty or non-audio file, a header with absurd
        values, or a WAV/AIFF whose header promises more data than the file holds.
    """
    path = _check_path(path)
    try:
        raw = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioFormatError(
            f"{path} is not an audio file restorekit can read ({_reason(error)}); give it a "
            "WAV, FLAC, AIFF, OGG or MP3 file.") from None
    if not MIN_SAMPLE_RATE <= raw.samplerate <= MAX_SAMPLE_RATE:
        raise AudioFormatError(
            f"{path} declares a sample rate of {raw.samplerate} Hz, outside "
            f"{MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz; its header is damaged, {_FIX}.")
    if not 1 <= raw.channels <= MAX_CHANNELS:
        raise AudioFormatError(f"{path} declares {raw.channels} channels (1 to "
                               f"{MAX_CHANNELS} are supported); its header is damaged.")
    if raw.frames <= 0:
        raise AudioFormatError(f"{path} holds no audio frames; {_FIX}.")
    meta = AudioInfo(path=path, format=raw.format, subtype=raw.subtype,
                     sample_rate=raw.samplerate, channels=raw.channels, frames=raw.frames)
    sizes = declared_data_bytes(path)
    if sizes is not None and sizes[0] - sizes[1] > 1:  # one byte of slack: odd-size padding
        declared, available = sizes
        promised = meta.duration * declared / max(available, 1)
        raise AudioFormatError(
            f"{path} is truncated: its header promises {promised:.3f} s of audio but the "
            f"file holds only {meta.duration:.3f} s; {_FIX}.")
    return meta


def _reason(error: Exception) -> str:
    text = str(error).strip().rstrip(".")
    return text.split(": ", 1)[-1] if ": " in text else text


def _frame_range(meta: AudioInfo, start: float, duration: float | None) -> tuple[int, int]:
    check_seconds(start, name="start")
    if duration is not None:
        check_seconds(duration, name="duration")
    first = round(start * meta.sample_rate)
    if first >= meta.frames:
        raise ParameterError(f"start={start} s is past the end of {meta.path} "
                             f"({meta.duration:.3f} s).")
    count = meta.frames - first if duration is None else round(duration * meta.sample_rate)
    count = min(count, meta.frames - first)
    if count < 1:
        raise ParameterError(f"duration={duration} s selects no frames of {meta.path}.")
    return first, count


def read_chunks(meta: AudioInfo, *, chunk_frames: int, first: int = 0,
                count: int | None = None) -> Iterator[np.ndarray]:
    """Yield raw float32 chunks shaped (channels, n) from ``meta.path``, in order.

    This is the one place restorekit decodes a file. It checks that every promised
    frame arrives (libsndfile returns short reads silently), but leaves non-finite
    values in place: callers decide whether those are an error or a statistic.
    """
    count = meta.frames - first if count is None else count
    got = 0
    try:
        with _quiet_decoder(meta.subtype):
            f = sf.SoundFile(str(meta.path))
        with f:
            if first:
                with _quiet_decoder(meta.subtype):
                    f.seek(first)
            while got < count:
                with _quiet_decoder(meta.subtype):
                    chunk = f.read(min(chunk_frames, count - got), dtype="float32",
                                   always_2d=True)
                if len(chunk) == 0:
                    break
                got += len(chunk)
                yield np.ascontiguousarray(chunk.T)
    except (sf.LibsndfileError, RuntimeError) as error:
        at = (first + got) / meta.sample_rate
        raise AudioFormatError(f"{meta.path} could not be decoded past {at:.3f} s "
                               f"({_reason(error)}); it is damaged, {_FIX}.") from None
    if got < count:
        raise AudioFormatError(
            f"{meta.path} is truncated: its header promises {meta.duration:.3f} s but only "
            f"{(first + got) / meta.sample_rate:.3f} s can be decoded; {_FIX}.")


def _check_finite(meta: AudioInfo, samples: np.ndarray, *, offset: int) -> None:
    finite = np.isfinite(samples)
    if finite.all():
        return
    bad = int(samples.size - np.count_nonzero(finite))
    first = offset + int(np.flatnonzero(~finite.all(axis=0))[0])
    raise AudioFormatError(
        f"{meta.path} holds {bad} NaN or infinite samples (the first at "
        f"{first / meta.sample_rate:.3f} s); repair it or export it again from its source.")


def load(path: str | os.PathLike, *, sample_rate: int | None = None, mono: bool = False,
         start: float = 0.0, duration: float | None = None) -> Audio:
    """Load a whole file (or a part of it) as :class:`Audio`.

    Parameters
    ----------
    path : str or os.PathLike
    sample_rate : int, optional
        Resample to this rate (soxr, very high quality); ``None`` keeps the file's.
    mono : bool
        Average the channels to one.
    start, duration : float
        The part to read, in seconds; ``duration=None`` reads to the end.

    Returns
    -------
    Audio
        float32 samples with ``source`` set to ``path``.

    Raises
    ------
    AudioFormatError
        When the file is missing, not audio, truncated, or holds NaN/Inf samples.
    ParameterError
        When ``start``/``duration``/``sample_rate`` are out of range.

    See Also
    --------
    blocks : stream a long file without holding it in memory.
    """
    meta = info(path)
    first, count = _frame_range(meta, start, duration)
    # Decode in pieces straight into the final array: one copy of the file in memory.
    samples = np.empty((meta.channels, count), dtype=np.float32)
    filled = 0
    for chunk in read_chunks(meta, chunk_frames=2**18, first=first, count=count):
        samples[:, filled: filled + chunk.shape[1]] = chunk
        filled += chunk.shape[1]
    _check_finite(meta, samples, offset=first)
    audio = Audio(frozen(samples), meta.sample_rate, source=meta.path)
    if mono:
        audio = audio.mono()
    if sample_rate is not None:
        audio = audio.resample(sample_rate)
    return audio


def blocks(path: str | os.PathLike, *, block_seconds: float,
           overlap_seconds: float = 0.0) -> Iterator[Block]:
    """Stream a file in blocks with ``overlap_seconds`` of context on each side.

    The file is read once, front to back (no seeking, so MP3 and OGG behave like WAV),
    and never held in memory whole: at most one block plus its context is.

    Parameters
    ----------
    path : str or os.PathLike
    block_seconds : float
        Length each block owns (its ``core``), in seconds.
    overlap_seconds : float
        Extra context read before and after each core (less at the file's ends).

    Yields
    ------
    Block
        Concatenating ``block.core_samples`` over all blocks gives the file exactly.
    """
    meta = info(path)
    check_seconds(block_seconds, name="block_seconds")
    check_seconds(overlap_seconds, name="overlap_seconds")
    hop = round(block_seconds * meta.sample_rate)
    context = round(overlap_seconds * meta.sample_rate)
    if hop < 1:
        raise ParameterError(f"block_seconds={block_seconds} is shorter than one frame at "
                             f"{meta.sample_rate} Hz.")
    # Checks above run now, at the call; the reading below runs as blocks are asked for.
    return _cut_blocks(meta, hop=hop, context=context)


def _cut_blocks(meta: AudioInfo, *, hop: int, context: int) -> Iterator[Block]:
    chunks = read_chunks(meta, chunk_frames=max(hop, 65536))
    with contextlib.closing(chunks):
        yield from _blocks_from_chunks(meta, chunks, hop=hop, context=context)


def _blocks_from_chunks(meta: AudioInfo, chunks: Iterator[np.ndarray], *, hop: int,
                        context: int) -> Iterator[Block]:
    pending: list[np.ndarray] = []  # decoded chunks not yet wholly behind us
    pending_start = 0  # file frame of pending[0][:, 0]
    decoded = 0  # file frames decoded so far
    for index, core_first in enumerate(range(0, meta.frames, hop)):
        core_last = min(core_first + hop, meta.frames)
        want_first = max(0, core_first - context)
        want_last = min(meta.frames, core_last + context)
        while decoded < want_last:
            pending.append(next(chunks))
            decoded += pending[-1].shape[1]
        # drop chunks that end before this block starts: later blocks need them no more
        while pending_start + pending[0].shape[1] <= want_first:
            pending_start += pending.pop(0).shape[1]
        joined = pending[0] if len(pending) == 1 else np.concatenate(pending, axis=1)
        piece = joined[:, want_first - pending_start: want_last - pending_start]
        _check_finite(meta, piece, offset=want_first)
        yield Block(audio=Audio(frozen(piece), meta.sample_rate, source=meta.path),
                    start=want_first,
                    core=slice(core_first - want_first, core_last - want_first), index=index)
