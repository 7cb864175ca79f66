"""Input checks shared by every metric, and one way to say a result is undefined.

Metrics accept plain arrays or :class:`~restorekit.audio.Audio`; :func:`check_signals`
turns either into float64 arrays shaped ``(channels, frames)`` so the metric code only
ever sees one form. Bad input raises :class:`~restorekit.errors.ParameterError`; a
well-formed input on which a metric means nothing (silence, too short) gives NaN and a
:class:`~restorekit.errors.RestorekitWarning` from :func:`undefined`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from restorekit.audio import Audio, check_sample_rate
from restorekit.dsp.arrays import as_channels
from restorekit.errors import ParameterError, RestorekitWarning

__all__ = ["check_signals", "check_signal", "check_events", "undefined"]


def check_signal(signal: Any, sample_rate: int, *, name: str) -> np.ndarray:
    """Return ``signal`` as a finite, non-empty float64 array shaped (channels, frames).

    Parameters
    ----------
    signal : numpy.ndarray or Audio
        1-D (mono) or 2-D ``(channels, frames)`` samples, or an ``Audio``.
    sample_rate : int
        The rate the caller says the signal has; an ``Audio`` must agree with it.
    name : str
        What to call the signal in error messages.
    """
    if isinstance(signal, Audio):
        if signal.sample_rate != sample_rate:
            raise ParameterError(f"{name} is Audio at {signal.sample_rate} Hz but "
                                 f"sample_rate={sample_rate}; resample it or pass its rate.")
        signal = signal.samples
    array = as_channels(signal, name=name)
    if array.size == 0:
        raise ParameterError(f"{name} is empty; a metric needs at least one sample.")
    return array


def check_signals(reference: Any, estimate: Any,
                  sample_rate: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Check a reference/estimate pair and return ``(reference, estimate, sample_rate)``.

    Both signals come back as float64 arrays shaped ``(channels, frames)`` (see
    :func:`check_signal`), and must have the same shape.
    """
    rate = check_sample_rate(sample_rate)
    ref = check_signal(reference, rate, name="reference")
    est = check_signal(estimate, rate, name="estimate")
    if ref.shape != est.shape:
        raise ParameterError(f"reference and estimate must have the same (channels, frames) "
                             f"shape, got {ref.shape} and {est.shape}.")
    return ref, est, rate


def check_events(events: Any, *, name: str) -> np.ndarray:
    """Return event positions (whole sample indices) as a 1-D int64 array.

    ``events`` may be an array-like of positions or an object holding them in a
    ``positions`` or ``starts`` attribute (such as impulse detections).
    """
    for attribute in ("positions", "starts"):
        if hasattr(events, attribute):
            events = getattr(events, attribute)
            break
    array = np.asarray(events)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1:
        raise ParameterError(f"{name} must be a 1-D list of sample positions, got shape "
                             f"{array.shape}.")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ParameterError(f"{name} must hold sample positions, got dtype {array.dtype}.")
    if not (np.isfinite(array).all() and (array == np.round(array)).all() and
            (array >= 0).all()):
        raise ParameterError(f"{name} must hold non-negative whole sample positions.")
    return array.astype(np.int64)


def undefined(metric: str, reason: str) -> float:
    """Warn that ``metric`` is undefined for this input, and return NaN.

    NaN rather than an exception lets a benchmark over many files carry on and show the
    gap; the warning says why it is there.
    """
    warnings.warn(f"{metric} is undefined here ({reason}); returning NaN.",
                  RestorekitWarning, stacklevel=3)
    return float("nan")
