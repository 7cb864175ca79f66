"""DC offset: measuring it and taking it out.

Transfers from old recorders and sound cards often sit a little off zero. A constant
offset wastes headroom and makes a click at every edit or fade, so it is removed before
anything else. Two ways are offered: subtracting each channel's mean (exact for a
constant offset, and what you want for a short clip), or a zero-phase high-pass, which
also follows an offset that drifts during a long transfer.
"""

from __future__ import annotations

import numpy as np

from restorekit.audio import check_sample_rate
from restorekit.dsp.arrays import as_channels, like_input
from restorekit.errors import ParameterError

__all__ = ["dc_offset", "remove_dc"]

_HIGHPASS_ORDER = 2


def dc_offset(samples: np.ndarray) -> np.ndarray:
    """Mean of each channel.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples, ``(channels, frames)`` or 1-D (one channel).

    Returns
    -------
    numpy.ndarray
        float64 array shaped ``(channels,)``.
    """
    x = as_channels(samples)
    if x.shape[1] == 0:
        raise ParameterError("samples must hold at least one frame to have a DC offset.")
    return x.mean(axis=1)


def remove_dc(samples: np.ndarray, *, sample_rate: int,
              cutoff_hz: float | None = None) -> np.ndarray:
    """Remove the DC offset, by mean subtraction or by a zero-phase high-pass.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples, ``(channels, frames)`` or 1-D.
    sample_rate : int
        Samples per second (needed for the high-pass; checked in both modes).
    cutoff_hz : float or None
        ``None`` subtracts each channel's mean. A frequency strictly between 0 and
        ``sample_rate / 2`` runs a 2nd-order Butterworth high-pass there forwards and
        backwards (:func:`scipy.signal.sosfiltfilt`): zero phase, so transients do not
        move, and a 4th-order (−24 dB/octave) magnitude slope, −6 dB at the cutoff.
        A few Hz (5 to 20) is typical for 78rpm transfers; the filter works on this
        array as a whole, so call it on a whole signal, not on separate blocks.

    Returns
    -------
    numpy.ndarray
        Samples without DC, same shape and float type as ``samples``.
    """
    rate = check_sample_rate(sample_rate)
    x = as_channels(samples)
    if x.shape[1] == 0:
        raise ParameterError("samples must hold at least one frame to remove DC from.")
    if cutoff_hz is None:
        return like_input(x - x.mean(axis=1, keepdims=True), samples)
    if not (isinstance(cutoff_hz, (int, float, np.number)) and 0 < cutoff_hz < rate / 2):
        raise ParameterError(f"cutoff_hz must be None or a frequency between 0 and "
                             f"{rate / 2:g} Hz (half the sample rate), got {cutoff_hz!r}.")
    from scipy.signal import butter, sosfiltfilt  # imported here: slow to import

    sos = butter(_HIGHPASS_ORDER, cutoff_hz, btype="highpass", fs=rate, output="sos")
    # Pad with a mirror image (scipy's default, an odd extension, would shift the pad's
    # level by twice the edge sample's distance from the mean, a DC step the filter then
    # rings on) three periods of the cutoff long, so the filter has settled by frame 0.
    padlen = min(x.shape[1] - 1, round(3 * rate / cutoff_hz))
    filtered = sosfiltfilt(sos, x, axis=1, padtype="even", padlen=padlen)
    return like_input(filtered, samples)
