"""Restoring a file of any length in blocks, with a result that ignores the block size.

``restore_file`` reads the transfer twice, front to back, never holding it whole:

1. **Fit.** The energy of every eighth of a second is gathered while streaming; the
   quietest windows (:func:`restorekit.analysis.noise.quiet_windows`) are loaded and
   the restorer is fitted on them (the disc's own noise, for a hiss reducer).
2. **Restore.** The file is read in blocks of ``block_seconds`` and piped through the
   chain's stages one after another (:mod:`restorekit.restore.pipeline`), each seeing
   its own context either side and framing every window as it would the whole file
   (:class:`~restorekit.restore.base.Restorer`). An output sample then depends on
   exactly the input a whole-file run would have shown it, so 1 s and 30 s blocks give
   the same file (pedalboard's test, ``tests/restore/test_stream.py``).

The output keeps the input's rate and, where its format allows, its sample type; PCM
is written with TPDF dither keyed by frame number (:func:`restorekit.dsp.dither.tpdf_at`)
and clipped, never wrapped. Both files are written under temporary names and renamed
into place only when complete (:func:`restorekit.io.write.atomic_path`): an interrupted
run leaves no partial output, and the input is only ever read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

from restorekit.analysis.noise import quiet_windows
from restorekit.audio import Audio, check_seconds
from restorekit.dsp.dither import on_grid, quantize, tpdf_at
from restorekit.errors import ParameterError
from restorekit.io.read import _BITS, blocks, info, load, read_chunks
from restorekit.io.write import (
    _choose_format,
    _same_file,
    atomic_path,
    check_output,
    container_for,
    pcm_frames,
)
from restorekit.restore.base import Restorer
from restorekit.restore.pipeline import run_stage, stages_of

__all__ = ["restore_file", "FileRestoration", "noise_excerpt"]

_QUIET_STEP_S = 0.125  # energy pieces for the quiet-window search (four per window)


@dataclass
class FileRestoration:
    """What :func:`restore_file` did.

    Attributes
    ----------
    output, difference : pathlib.Path or None
    seconds : float
        Duration of the file.
    impulses : int
        Events repaired over the whole file.
    noise_segments : list of (float, float)
        Where the restorer was fitted, in seconds.
    clipped : int
        Output samples held at full scale (PCM only).
    """

    output: Path
    difference: Path | None
    seconds: float
    impulses: int = 0
    noise_segments: list[tuple[float, float]] = field(default_factory=list)
    clipped: int = 0


def noise_excerpt(path: str | os.PathLike, *, count: int = 6,
                  window_seconds: float = 0.5) -> tuple[Audio, list[tuple[float, float]]]:
    """The quietest windows of a file, joined: its surface noise, found streaming.

    Up to ``count`` windows, all within 3 dB of the quietest. Returns the joined audio
    and the windows' ``(start, stop)`` in seconds.
    """
    meta = info(path)
    step = max(1, round(_QUIET_STEP_S * meta.sample_rate))
    pieces, carry = [], np.zeros(0)
    for chunk in read_chunks(meta, chunk_frames=1 << 18):
        mono = np.concatenate([carry, chunk.mean(axis=0, dtype=np.float64)])
        whole = mono.size // step * step
        pieces.append(np.einsum("ij,ij->i", *(mono[:whole].reshape(-1, step),) * 2))
        carry = mono[whole:]
    energy = np.concatenate(pieces) if pieces else np.zeros(0)
    segments = quiet_windows(energy, step=step, sample_rate=meta.sample_rate, count=count,
                             min_gap_seconds=1.0, duration=meta.duration)
    segments = [(a, min(b, meta.duration)) for a, b in segments]
    parts = [load(path, start=a, duration=b - a).samples for a, b in segments]
    # Only windows as quiet as the quietest (within 3 dB) are surface noise alone; a
    # side with a short lead-in has one such window and, after it, quiet music.
    power = np.array([np.mean(np.square(p, dtype=np.float64)) for p in parts])
    keep = power <= 2.0 * power.min() if power.min() > 0 else power == power.min()
    segments = [s for s, k in zip(segments, keep, strict=True) if k]
    parts = [p for p, k in zip(parts, keep, strict=True) if k]
    return Audio(np.concatenate(parts, axis=1), meta.sample_rate), segments


class _Writer:
    """Writes blocks to one output, PCM dithered by frame number and clipped."""

    def __init__(self, path: Path, *, like, channels: int, frames: int, rate: int):
        fmt, self.subtype = _choose_format(path, None, like)
        self.bits = _BITS.get(self.subtype) if self.subtype.startswith("PCM") else None
        container = container_for(fmt, subtype=self.subtype, channels=channels,
                                  frames=frames)
        self._atomic = atomic_path(path)
        tmp = self._atomic.__enter__()
        self._file = sf.SoundFile(str(tmp), "w", samplerate=rate, channels=channels,
                                  format=container, subtype=self.subtype)
        self.clipped = 0

    def write(self, samples: np.ndarray, *, first_frame: int) -> None:
        if self.bits is None:
            self._file.write(np.ascontiguousarray(samples.T, dtype=np.float32))
            return
        limit = 1.0 - 2.0 ** -(self.bits - 1)
        self.clipped += int(np.count_nonzero(np.abs(samples) > limit))
        if not on_grid(samples, bits=self.bits):
            samples = samples + tpdf_at(first_frame, channels=samples.shape[0],
                                        frames=samples.shape[1], bits=self.bits)
        self._file.write(pcm_frames(quantize(samples, bits=self.bits, dither=False,
                                             rng=None), self.bits))

    def close(self, *, ok: bool) -> None:
        self._file.close()
        if ok:
            self._atomic.__exit__(None, None, None)
        else:
            self._atomic.__exit__(RuntimeError, RuntimeError("abandoned"), None)


def _check_paths(source: Path, output: Path, difference: Path | None, *,
                 overwrite: bool) -> None:
    for path in (output, difference):
        if path is not None:
            check_output(path, inputs=(source,), overwrite=overwrite)
    if difference is not None and _same_file(output, difference):
        raise ParameterError(f"the output and the difference file are both {output}; "
                             "give them different names.")


def restore_file(source: str | os.PathLike, output: str | os.PathLike,
                 restorer: Restorer, *, difference: str | os.PathLike | None = None,
                 block_seconds: float = 5.0, fit: bool = True, overwrite: bool = False,
                 progress: bool = False) -> FileRestoration:
    """Restore a file of any length block by block; see the module's description.

    Parameters
    ----------
    source, output : str or os.PathLike
        The transfer (only read) and where the restored audio goes.
    restorer : Restorer
    difference : str or os.PathLike, optional
        Also write what was removed (``input - output``).
    block_seconds : float
        Length each block owns. Memory grows with it; the result does not change.
    fit : bool
        Fit the restorer on the file's quietest windows first (see
        :func:`noise_excerpt`).
    overwrite : bool
        Replace existing output files (never the input).
    progress : bool
        Show a progress bar (tqdm, on stderr).

    Returns
    -------
    FileRestoration
    """
    if not isinstance(restorer, Restorer):
        raise ParameterError(f"restore_file needs a Restorer, got {type(restorer).__name__}.")
    source, output = Path(source), Path(output)
    difference = None if difference is None else Path(difference)
    check_seconds(block_seconds, name="block_seconds")
    meta = info(source)
    _check_paths(source, output, difference, overwrite=overwrite)
    rate = meta.sample_rate
    segments: list[tuple[float, float]] = []
    if fit:
        noise, segments = noise_excerpt(source)
        restorer.fit(noise)
    hop = max(1, round(block_seconds * rate))
    writers = [_Writer(path, like=meta, channels=meta.channels, frames=meta.frames,
                       rate=rate) for path in (output, difference) if path is not None]
    result = FileRestoration(output=output, difference=difference, seconds=meta.duration,
                             noise_segments=segments)
    dry = _Tee(blocks(source, block_seconds=hop / rate))
    counts: dict[int, list[int]] = {}
    stream = iter(dry)
    for i, stage in enumerate(stages_of(restorer)):
        counts[i] = []
        stream = run_stage(stage, stream, sample_rate=rate, block=hop, impulses=counts[i])
    ok = False
    try:
        bar = _progress(meta, enabled=progress)
        for start, samples in stream:
            restored = samples.astype(np.float64)
            outputs = [restored]
            if difference is not None:
                outputs.append(dry.take(start, restored.shape[1]) - restored)
            else:
                dry.forget(start + restored.shape[1])
            for writer, data in zip(writers, outputs, strict=True):
                writer.write(data, first_frame=start)
            bar.update(restored.shape[1])
        bar.close()
        ok = True
    finally:
        for writer in writers:
            writer.close(ok=ok)
    result.impulses = sum(sum(c) for c in counts.values())
    result.clipped = writers[0].clipped
    return result


class _Tee:
    """The file's blocks as (start, samples) chunks, kept until the output catches up
    (for the difference file, input minus output)."""

    def __init__(self, blocks_):
        self._blocks = blocks_
        self._kept: list[tuple[int, np.ndarray]] = []

    def __iter__(self):
        for block in self._blocks:
            chunk = (block.start + block.core.start, block.core_samples)
            self._kept.append(chunk)
            yield chunk

    def take(self, start: int, count: int) -> np.ndarray:
        """Input frames ``start`` to ``start + count`` (float64), then forget them."""
        parts = [samples[:, max(0, start - first): start + count - first]
                 for first, samples in self._kept
                 if first < start + count and first + samples.shape[1] > start]
        self.forget(start + count)
        return np.concatenate(parts, axis=1).astype(np.float64)

    def forget(self, before: int) -> None:
        """Drop the chunks that end before frame ``before``."""
        self._kept = [(f, x) for f, x in self._kept if f + x.shape[1] > before]


def _progress(meta, *, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=meta.frames, unit="frame", unit_scale=True, disable=not enabled,
                desc=meta.path.name, leave=False)
