"""``Audio``: the one value every public restorekit function takes and returns.

A signal and its sample rate travel together, so no function ever has to guess a rate:
there is no default sample rate anywhere in restorekit, and resampling is always asked
for by name (:meth:`Audio.resample`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from restorekit.errors import ParameterError

__all__ = ["Audio", "MIN_SAMPLE_RATE", "MAX_SAMPLE_RATE", "MAX_CHANNELS", "check_sample_rate",
           "check_seconds", "check_audio", "frozen"]

MIN_SAMPLE_RATE = 1_000
MAX_SAMPLE_RATE = 768_000
MAX_CHANNELS = 64


def check_sample_rate(sample_rate: object, *, name: str = "sample_rate") -> int:
    """Return ``sample_rate`` as an ``int`` or raise :class:`ParameterError`.

    Accepts integers and integral floats (``44100.0``) between 1 kHz and 768 kHz.
    """
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float, np.number)):
        raise ParameterError(f"{name} must be a number of samples per second, "
                             f"got {sample_rate!r}.")
    if not np.isfinite(sample_rate) or float(sample_rate) != int(sample_rate):
        raise ParameterError(f"{name} must be a whole number of Hz, got {sample_rate!r}.")
    rate = int(sample_rate)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise ParameterError(f"{name} must be between {MIN_SAMPLE_RATE} and "
                             f"{MAX_SAMPLE_RATE} Hz, got {rate} Hz.")
    return rate


def check_seconds(value: object, *, name: str) -> float:
    """Return ``value`` as a float number of seconds, or raise :class:`ParameterError`.

    Accepts finite numbers from 0 up; booleans and non-numbers are refused.
    """
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.number))
            or not np.isfinite(value) or value < 0):
        raise ParameterError(f"{name} must be a non-negative number of seconds, got "
                             f"{value!r}.")
    return float(value)


def frozen(samples: np.ndarray) -> np.ndarray:
    """Hand a freshly made array over to :class:`Audio` without a copy.

    Returns ``samples`` itself, read-only, when it is C-contiguous float32 and owns its
    memory (otherwise a read-only copy that is). Only give it arrays nothing else will
    write to: that is what lets :class:`Audio` skip its defensive copy.
    """
    if not (samples.dtype == np.float32 and samples.flags.owndata
            and samples.flags.c_contiguous):
        samples = np.array(samples, dtype=np.float32, order="C")
    samples.flags.writeable = False
    return samples


def _is_frozen_float32(samples: np.ndarray) -> bool:
    flags = samples.flags
    return (samples.dtype == np.float32 and flags.c_contiguous and flags.owndata
            and not flags.writeable)


@dataclass(frozen=True, eq=False)
class Audio:
    """Multichannel audio as float32 samples shaped ``(channels, frames)``.

    Parameters
    ----------
    samples : array_like
        Finite samples, nominally within [-1, 1]. A 1-D array is taken as mono. The array
        is copied to C-contiguous float32 and made read-only, so an ``Audio`` never
        changes after it is made. (An array that is already C-contiguous float32, owns
        its memory and is read-only cannot change either, so it is used without a copy:
        that is how :func:`restorekit.io.load` hands over a long file.)
    sample_rate : int
        Samples per second per channel, 1 kHz to 768 kHz.
    source : pathlib.Path, optional
        The file these samples were loaded from, if any. :func:`restorekit.io.save`
        refuses to write over it, and errors name it.

    Examples
    --------
    >>> import numpy as np
    >>> from restorekit import Audio
    >>> t = np.arange(44100) / 44100
    >>> a = Audio(np.sin(2 * np.pi * 440 * t), sample_rate=44100)
    >>> a.channels, a.frames, a.duration
    (1, 44100, 1.0)
    """

    samples: np.ndarray
    sample_rate: int
    source: Path | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        rate = check_sample_rate(self.sample_rate)
        samples = np.asarray(self.samples)
        if not (np.issubdtype(samples.dtype, np.floating)
                or np.issubdtype(samples.dtype, np.integer)):
            raise ParameterError(f"samples must be numeric, got dtype {samples.dtype}.")
        if samples.ndim == 1:
            samples = samples[np.newaxis, :]
        if samples.ndim != 2:
            raise ParameterError(f"samples must be shaped (channels, frames), got shape "
                                 f"{samples.shape}.")
        channels, frames = samples.shape
        if not 1 <= channels <= MAX_CHANNELS:
            hint = " (did you pass (frames, channels)? transpose it)" if frames <= 64 else ""
            raise ParameterError(f"audio must have 1 to {MAX_CHANNELS} channels, got "
                                 f"{channels}{hint}.")
        if frames < 1:
            raise ParameterError("audio must hold at least one frame, got none.")
        if not _is_frozen_float32(samples):
            samples = np.array(samples, dtype=np.float32, order="C", copy=True)
        if not np.isfinite(samples).all():
            bad = int(np.count_nonzero(~np.isfinite(samples)))
            raise ParameterError(f"audio holds {bad} NaN or infinite samples; every "
                                 "sample must be finite.")
        samples.flags.writeable = False
        object.__setattr__(self, "samples", samples)
        object.__setattr__(self, "sample_rate", rate)
        if self.source is not None:
            object.__setattr__(self, "source", Path(self.source))

    # -- shape --------------------------------------------------------------------------
    @property
    def channels(self) -> int:
        """Number of channels."""
        return self.samples.shape[0]

    @property
    def frames(self) -> int:
        """Number of samples per channel."""
        return self.samples.shape[1]

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    def __len__(self) -> int:
        return self.frames

    def __repr__(self) -> str:
        return (f"Audio(channels={self.channels}, frames={self.frames}, "
                f"sample_rate={self.sample_rate}, duration={self.duration:.3f} s)")

    # -- derived audio -------------------------------------------------------------------
    def with_samples(self, samples: np.ndarray, *, sample_rate: int | None = None) -> Audio:
        """Return new audio with ``samples``, keeping this audio's rate and source."""
        return dataclasses.replace(
            self, samples=samples,
            sample_rate=self.sample_rate if sample_rate is None else sample_rate)

    def mono(self) -> Audio:
        """Mix all channels down to one by averaging them (mono stays as it is)."""
        if self.channels == 1:
            return self
        return self.with_samples(self.samples.mean(axis=0, dtype=np.float64, keepdims=True))

    def resample(self, sample_rate: int) -> Audio:
        """Resample to ``sample_rate`` with soxr at its very-high-quality setting.

        soxr's VHQ setting is a linear-phase band-limited resampler with a pass band
        flat to 0.01 dB up to 95 % of the lower Nyquist frequency (libsoxr).
        """
        import soxr  # imported here: most callers never resample

        rate = check_sample_rate(sample_rate)
        if rate == self.sample_rate:
            return self
        out = soxr.resample(self.samples.T, self.sample_rate, rate, quality="VHQ")
        if out.shape[0] == 0:
            raise ParameterError(f"resampling {self.frames} frames from {self.sample_rate} "
                                 f"to {rate} Hz leaves no frames.")
        return self.with_samples(np.ascontiguousarray(out.T), sample_rate=rate)

    def slice(self, start: float = 0.0, stop: float | None = None) -> Audio:
        """Return the part from ``start`` to ``stop`` seconds (``None``: to the end).

        Times are rounded to the nearest frame; ``stop`` past the end is clipped.
        """
        stop = self.duration if stop is None else stop
        start, stop = check_seconds(start, name="start"), check_seconds(stop, name="stop")
        first = round(start * self.sample_rate)
        last = min(round(stop * self.sample_rate), self.frames)
        if first >= last:
            raise ParameterError(f"slice({start}, {stop}) is empty for audio of "
                                 f"{self.duration:.3f} s; start must be before stop.")
        return self.with_samples(self.samples[:, first:last])


def check_audio(audio: Any, *, who: str) -> Audio:
    """``audio`` if it is an :class:`Audio`, else a :class:`ParameterError` saying that
    ``who`` (a function or method name) needs one."""
    if not isinstance(audio, Audio):
        raise ParameterError(f"{who} needs an Audio, got {type(audio).__name__}; load the "
                             "file with restorekit.io.load or wrap the samples in "
                             "Audio(samples, sample_rate).")
    return audio
