"""Shared checks for the raw sample arrays that ``restorekit.dsp`` functions take.

The dsp functions work on plain arrays rather than :class:`restorekit.Audio`, so that
:mod:`restorekit.io` can call them on raw blocks of a long file. These helpers give every
function the same reading of its input: a 1-D array is one channel, a 2-D array is
``(channels, frames)``, and the result comes back in the caller's shape and float type.
"""

from __future__ import annotations

import numpy as np

from restorekit.audio import MAX_CHANNELS
from restorekit.errors import ParameterError

__all__ = ["as_channels", "like_input", "check_channels", "true_runs", "covered",
           "merge_spans"]


def as_channels(samples: object, *, name: str = "samples",
                channels: int | None = None) -> np.ndarray:
    """Return ``samples`` as a finite float64 array shaped ``(channels, frames)``.

    With ``channels`` given (a streaming meter's next block), the array must have that
    many. The result may be a view of the input, so callers must never write into it.
    """
    x = np.asarray(samples)
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.floating)
                                   or np.issubdtype(x.dtype, np.integer)):
        raise ParameterError(f"{name} must be a real numeric array, got dtype {x.dtype}.")
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.ndim != 2:
        raise ParameterError(f"{name} must be shaped (channels, frames) or (frames,), got "
                             f"shape {x.shape}.")
    if channels is not None and x.shape[0] != channels:
        raise ParameterError(f"{name} must have {channels} channels like the meter, got "
                             f"{x.shape[0]}.")
    x = x.astype(np.float64, copy=False)
    if not np.isfinite(x).all():
        raise ParameterError(f"{name} holds NaN or infinite values; every sample must be "
                             "finite.")
    return x


def like_input(result: np.ndarray, samples: object) -> np.ndarray:
    """Give a ``(channels, frames)`` result the shape and float type of ``samples``.

    Float inputs keep their precision (float32 blocks from a file stay float32); integer
    inputs come back as float64, since a processed signal is no longer integral.
    """
    original = np.asarray(samples)
    dtype = original.dtype if np.issubdtype(original.dtype, np.floating) else np.float64
    return result.reshape(original.shape).astype(dtype, copy=False)


def check_channels(channels: object) -> int:
    """Return ``channels`` as an ``int`` or raise :class:`ParameterError`."""
    if (isinstance(channels, bool) or not isinstance(channels, (int, np.integer))
            or not 1 <= channels <= MAX_CHANNELS):
        raise ParameterError(f"channels must be an integer from 1 to {MAX_CHANNELS}, got "
                             f"{channels!r}.")
    return int(channels)


def true_runs(mask: np.ndarray, *, join: int = 1) -> list[tuple[int, int]]:
    """``(first, last_exclusive)`` of each run of True in ``mask``.

    Runs separated by fewer than ``join`` False samples are joined into one.
    """
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    runs: list[tuple[int, int]] = []
    for first, last in zip(edges[::2], edges[1::2], strict=True):
        if runs and first - runs[-1][1] < join:
            runs[-1] = (runs[-1][0], int(last))
        else:
            runs.append((int(first), int(last)))
    return runs


def covered(firsts: np.ndarray, lasts: np.ndarray, size: int) -> np.ndarray:
    """Boolean mask of ``size`` samples, True inside any span ``[first, last)``.

    The inverse of :func:`true_runs`. Spans may overlap or reach past either end
    (they are clipped); an empty span (``first == last``) covers nothing.
    """
    edges = np.zeros(size + 1, dtype=np.int64)
    np.add.at(edges, np.clip(firsts, 0, size), 1)
    np.add.at(edges, np.clip(lasts, 0, size), -1)
    return np.cumsum(edges[:-1]) > 0


def merge_spans(starts: np.ndarray, ends: np.ndarray, *, gap: int,
                size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sort spans ``[start, end)``, clip them to ``[0, size)`` and join any closer than ``gap``.

    Returns the merged ``(starts, ends)``.
    """
    starts = np.clip(np.asarray(starts, dtype=np.int64), 0, size)
    ends = np.clip(np.asarray(ends, dtype=np.int64), 0, size)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if not starts.size:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], np.maximum.accumulate(ends[order])
    new = np.append(True, starts[1:] > ends[:-1] + gap)
    groups = np.flatnonzero(new)
    return starts[groups], np.maximum.reduceat(ends, groups)


def resample_array(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Resample (channels, frames) with soxr's very-high-quality linear-phase filters.

    Like :meth:`Audio.resample`, except that it keeps the array's dtype (float64 stays
    float64) and an input too short to leave a single frame gives an empty array instead
    of an error; callers pad it with :func:`fit_length`.
    """
    import soxr  # imported here: most callers never resample

    if rate == new_rate:
        return samples
    return soxr.resample(samples.T, rate, new_rate, quality="VHQ").T


def fit_length(samples: np.ndarray, frames: int) -> np.ndarray:
    """Trim ``samples`` (channels, n) to ``frames``, or pad it with zeros at the end."""
    out = np.zeros((samples.shape[0], frames), dtype=samples.dtype)
    kept = min(frames, samples.shape[1])
    out[:, :kept] = samples[:, :kept]
    return out
