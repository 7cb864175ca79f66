"""Clicks a method repaired, read from what it removed, for methods that report none.

Click F1 needs the positions of the clicks a method took out. Our declickers report
them; most peers (ffmpeg's ``adeclick``, noisereduce) do not. Their clicks are found in
the *removed* signal ``r = input - output``: a declicker leaves it zero (or nearly) away
from the clicks, a noise reducer fills it with hiss, and in both a repaired click stands
out as a short burst far above the signal around it.

The rule, per channel ``c``:

1. Split ``r_c`` into consecutive ``window_ms`` blocks (50 ms; the last may be shorter)
   and estimate each block's robust scale ``s = 1.4826 * median(|r - median(r)|)`` (the
   median absolute deviation, MAD, scaled to a Gaussian's standard deviation; the bursts
   themselves barely move it).
2. A sample is *loud* where ``|r_c| > max(threshold * s, floor)``, with ``threshold`` 4 and
   an absolute ``floor`` of -80 dBFS (1e-4), so float rounding in an output that was
   otherwise left alone is never a click.

A frame is loud when it is loud in any channel. Runs of loud frames less than
``merge_ms`` (1 ms) apart are one event (a click's ringing crosses zero), and each event
is reported at the frame of its largest ``max_c |r_c|``, i.e. one position per click
across channels, as the truth counts them.

References
----------
F. R. Hampel, "The influence curve and its role in robust estimation", J. American
Statistical Association 69 (346), 1974, pp. 383-393 (the MAD scale estimate); the same
threshold and merge rule as :func:`restorekit.metrics.impulse_removal_rate`.
"""

from __future__ import annotations

import numpy as np

from restorekit.audio import Audio
from restorekit.checks import check_number
from restorekit.errors import ParameterError

__all__ = ["events_in_removed", "block_scale"]

_MAD_TO_SIGMA = 1.4826


def block_scale(x: np.ndarray, block: int) -> np.ndarray:
    """Per-sample robust scale of ``x``: 1.4826 times the MAD of its ``block``-long block.

    ``x`` is 1-D; the result has its length, each block's value repeated over it (the
    last block may be shorter).
    """
    n = x.size
    whole = n // block * block
    scales = []
    if whole:
        blocks = x[:whole].reshape(-1, block)
        centre = np.median(blocks, axis=1, keepdims=True)
        scales.append(np.repeat(np.median(np.abs(blocks - centre), axis=1), block))
    if whole < n:
        rest = x[whole:]
        scales.append(np.full(n - whole, np.median(np.abs(rest - np.median(rest)))))
    return _MAD_TO_SIGMA * np.concatenate(scales)


def events_in_removed(removed: Audio | np.ndarray, *, sample_rate: int | None = None,
                      window_ms: float = 50.0, threshold: float = 4.0,
                      floor: float = 1e-4, merge_ms: float = 1.0) -> np.ndarray:
    """Frames of the bursts in a removed signal: where a method took out a click.

    Parameters
    ----------
    removed : Audio or numpy.ndarray
        ``input - output``, shaped ``(channels, frames)`` (1-D is mono).
    sample_rate : int, optional
        Needed when ``removed`` is an array; an ``Audio`` carries its own.
    window_ms : float
        Length of the blocks over which the robust scale is estimated.
    threshold : float
        How many robust standard deviations above a block's centre is loud.
    floor : float
        Absolute level (full scale 1) a sample must also exceed to be loud.
    merge_ms : float
        Loud runs closer than this are one event.

    Returns
    -------
    numpy.ndarray
        Sorted int64 frames, one per event (see the module notes for the rule).

    Examples
    --------
    >>> r = np.zeros(1000)
    >>> r[[100, 101, 600]] = [0.3, -0.2, 0.5]
    >>> events_in_removed(r, sample_rate=8000)
    array([100, 600])
    """
    if isinstance(removed, Audio):
        samples, rate = removed.samples, removed.sample_rate
    else:
        if sample_rate is None:
            raise ParameterError("events_in_removed needs sample_rate= for a plain array.")
        samples = np.asarray(removed, dtype=np.float64)
        samples = samples[np.newaxis, :] if samples.ndim == 1 else samples
        rate = sample_rate
        if samples.ndim != 2 or samples.shape[1] == 0:
            raise ParameterError(f"removed must be shaped (channels, frames), got "
                                 f"{np.shape(removed)}.")
    window = max(1, round(check_number(window_ms, name="window_ms", low=0.0, low_open=True)
                          * rate / 1000))
    threshold = check_number(threshold, name="threshold", low=0.0)
    floor = check_number(floor, name="floor", low=0.0)
    merge = check_number(merge_ms, name="merge_ms", low=0.0) * rate / 1000
    samples = np.asarray(samples, dtype=np.float64)
    magnitude = np.abs(samples)
    loud = np.zeros(samples.shape[1], dtype=bool)
    for channel, size in zip(samples, magnitude, strict=True):
        level = np.maximum(threshold * block_scale(channel, window), floor)
        loud |= size > level
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(np.int8), [0]])))
    starts, stops = edges[0::2], edges[1::2]
    if starts.size == 0:
        return np.zeros(0, dtype=np.int64)
    apart = starts[1:] - stops[:-1] >= merge
    starts, stops = starts[np.r_[True, apart]], stops[np.r_[apart, True]]
    envelope = magnitude.max(axis=0)
    return np.array([start + int(np.argmax(envelope[start:stop]))
                     for start, stop in zip(starts, stops, strict=True)], dtype=np.int64)
