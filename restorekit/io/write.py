"""Writing audio files safely: ``save``.

An archivist's input is irreplaceable and a half-written output is worse than none, so
every write goes to a temporary file in the destination folder and is renamed over the
final name only when complete (rename is atomic on POSIX file systems). Samples are
guarded on the way out: a true-peak limiter keeps them under the ceiling, so nothing
clips or wraps, and reducing the word length adds TPDF dither.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf

from restorekit.audio import Audio, check_audio
from restorekit.dsp import limit_true_peak, on_grid, quantize, true_peak
from restorekit.dsp.units import amplitude_to_db
from restorekit.errors import ParameterError
from restorekit.io.read import _BITS, AudioInfo

__all__ = ["save", "atomic_path", "check_output", "pcm_frames", "FORMATS", "container_for"]

#: File extension → (libsndfile format, default subtype).
FORMATS = {
    ".wav": ("WAV", "PCM_24"), ".flac": ("FLAC", "PCM_24"), ".aif": ("AIFF", "PCM_24"),
    ".aiff": ("AIFF", "PCM_24"), ".ogg": ("OGG", "VORBIS"), ".oga": ("OGG", "VORBIS"),
    ".mp3": ("MP3", "MPEG_LAYER_III"),
}
# A RIFF size field is 32 bits; leave room for the header and trailing chunks.
_RIFF_LIMIT = 2**32 - 2**20


def container_for(fmt: str, *, subtype: str, channels: int, frames: int) -> str:
    """Return ``"RF64"`` for a WAV whose data would pass 4 GiB (EBU Tech 3306), else ``fmt``."""
    if fmt != "WAV":
        return fmt
    width = {"PCM_S8": 1, "PCM_U8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4,
             "DOUBLE": 8}.get(subtype, 4)
    return "RF64" if frames * channels * width > _RIFF_LIMIT else fmt


def _same_file(a: Path, b: Path | None) -> bool:
    """True when ``a`` and ``b`` name one file (also through links or ``..``)."""
    if b is None:
        return False
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_output(path: str | os.PathLike, *, inputs=(), overwrite: bool) -> Path:
    """``path`` as a Path, if it may be written; else a :class:`ParameterError` saying why.

    Refused: any of ``inputs`` (paths, or None), a folder, a file in a folder that does
    not exist, and an existing file unless ``overwrite``.
    """
    path = Path(path)
    for source in inputs:
        if _same_file(path, source):
            raise ParameterError(f"refusing to write {path}: it is the input file; choose "
                                 "another output path.")
    if path.is_dir():
        raise ParameterError(f"cannot write {path}: it is a folder; name a file inside it.")
    if not path.parent.is_dir():
        raise ParameterError(f"cannot write {path}: the folder {path.parent} does not exist.")
    if path.exists() and not overwrite:
        raise ParameterError(f"{path} already exists; choose another name or pass "
                             "overwrite=True (--overwrite).")
    return path


def pcm_frames(codes: np.ndarray, bits: int) -> np.ndarray:
    """Frames-first int32 array of ``bits``-bit codes (channels, frames) for soundfile,
    whose int32 path takes the top bits: the codes are left-aligned."""
    return np.ascontiguousarray((codes.astype(np.int64) << (32 - bits)).astype(np.int32).T)


def _choose_format(path: Path, subtype: str | None, like: AudioInfo | None) -> tuple[str, str]:
    try:
        fmt, default = FORMATS[path.suffix.lower()]
    except KeyError:
        raise ParameterError(f"cannot write {path}: unknown extension {path.suffix!r}; use "
                             f"one of {', '.join(sorted(FORMATS))}.") from None
    if subtype is None and like is not None and sf.check_format(fmt, like.subtype):
        subtype = like.subtype
    subtype = default if subtype is None else subtype.upper()
    if not sf.check_format(fmt, subtype):
        raise ParameterError(f"cannot write {path}: {fmt} files cannot hold subtype "
                             f"{subtype!r}; try one of {', '.join(sf.available_subtypes(fmt))}.")
    return fmt, subtype


def _guard(samples: np.ndarray, *, sample_rate: int, ceiling_db: float) -> np.ndarray:
    """Limit only when the true peak is over the ceiling; otherwise leave samples as they are."""
    if amplitude_to_db(true_peak(samples, sample_rate=sample_rate)) <= ceiling_db:
        return samples
    return limit_true_peak(samples, sample_rate=sample_rate, ceiling_db=ceiling_db)


def _encode(samples: np.ndarray, subtype: str, *, dither: bool,
            rng: np.random.Generator) -> np.ndarray:
    """Frames-first array for soundfile: int32 codes for PCM, float32 for everything else.

    PCM is quantised here rather than by libsndfile so that dither is ours and a signal
    already on the target grid (loaded from a file of that depth) is written back
    bit-exactly.
    """
    bits = _BITS.get(subtype)
    if subtype.startswith("PCM") and bits is not None:
        needs_dither = dither and not on_grid(samples, bits=bits)
        return pcm_frames(quantize(samples, bits=bits, dither=needs_dither, rng=rng), bits)
    return np.ascontiguousarray(samples.T, dtype=np.float32)


def save(audio: Audio, path: str | os.PathLike, *, subtype: str | None = None,
         like: AudioInfo | None = None, dither: bool = True, overwrite: bool = False,
         true_peak_db: float = 0.0, rng: np.random.Generator | None = None) -> Path:
    """Write ``audio`` to ``path`` atomically, guarded against clipping and wrap-around.

    Parameters
    ----------
    audio : Audio
    path : str or os.PathLike
        Output file; its extension picks the format (``.wav``, ``.flac``, ``.aiff``,
        ``.ogg``, ``.mp3``). A WAV whose data would pass 4 GiB is written as RF64.
    subtype : str, optional
        libsndfile subtype such as ``"PCM_16"``, ``"PCM_24"``, ``"FLOAT"``. Default: the
        subtype of ``like`` when given, else 24-bit PCM (Vorbis/MP3 for those formats).
    like : AudioInfo, optional
        The source's :func:`restorekit.io.info`: keep its sample rate (resampling with
        soxr if ``audio`` has another) and its subtype; and never write over it.
    dither : bool
        Add TPDF dither (Vanderkooy & Lipshitz 1987) when quantising to PCM and the
        samples are not already on the target grid.
    overwrite : bool
        Replace an existing output (never the input itself: that is always refused).
    true_peak_db : float
        Ceiling in dBTP (ITU-R BS.1770-4 Annex 2). Audio whose true peak is above it goes
        through a look-ahead true-peak limiter; audio below it is written untouched. Use
        ``-1.0`` for material headed to lossy codecs.
    rng : numpy.random.Generator, optional
        Source of dither noise; default ``numpy.random.default_rng(0)`` so the same
        input always gives the same file.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ParameterError
        For an unknown extension or subtype, an output that exists (without
        ``overwrite``) or that is the input, or a missing destination folder.
    """
    check_audio(audio, who="save()")
    path = check_output(path, inputs=(audio.source, like.path if like is not None else None),
                        overwrite=overwrite)
    if not (np.isfinite(true_peak_db) and -60.0 <= true_peak_db <= 0.0):
        raise ParameterError(f"true_peak_db must be between -60 and 0 dBTP, got "
                             f"{true_peak_db!r}.")
    fmt, subtype = _choose_format(path, subtype, like)
    if like is not None:
        audio = audio.resample(like.sample_rate)
    samples = _guard(audio.samples, sample_rate=audio.sample_rate, ceiling_db=true_peak_db)
    data = _encode(samples, subtype, dither=dither,
                   rng=np.random.default_rng(0) if rng is None else rng)
    container = container_for(fmt, subtype=subtype, channels=audio.channels,
                              frames=audio.frames)
    _write_atomically(path, data, sample_rate=audio.sample_rate, fmt=container,
                      subtype=subtype)
    return path


def _write_atomically(path: Path, data: np.ndarray, *, sample_rate: int, fmt: str,
                      subtype: str) -> None:
    with atomic_path(path) as tmp:
        sf.write(str(tmp), data, sample_rate, format=fmt, subtype=subtype)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    Whatever is written to the temporary path appears at ``path`` all at once (rename
    is atomic on POSIX file systems), with the permissions of the file it replaces. If
    the block raises, or the process dies, ``path`` is untouched; a killed process
    leaves at most a hidden ``.NAME.*.partial`` file beside it.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _mode_for(path: Path) -> int:
    """Permissions of the file being replaced, or what a new file would get."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; some file systems refuse and that is harmless.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
