"""Keeping a signal under a ceiling: a soft clipper and a true-peak look-ahead limiter.

:func:`soft_clip` is a memoryless curve, cheap and safe for sample peaks. It leaves
everything below a knee alone and bends the rest smoothly towards the ceiling with a
tanh, so it never adds the hard corner (and the harmonics) of plain clipping.

:func:`limit_true_peak` is the gentler tool the writers use: it turns the gain down only
around the peaks, smoothly, and judges peaks by the true (intersample) level of
ITU-R BS.1770-4 Annex 2, because that is what a converter or a lossy encoder will see
(EBU R 128 asks for −1 dBTP for exactly this reason). The gain computer follows the
look-ahead design of Giannoulis, Massberg & Reiss (2012): the gain each frame needs,
an exponential release, a sliding minimum over the look-ahead window, and a moving
average shorter than that window, so smoothing never lets the gain rise above what a
peak needs.

References
----------
D. Giannoulis, M. Massberg and J. D. Reiss, "Digital dynamic range compressor design —
a tutorial and analysis", J. Audio Eng. Soc. 60(6), 2012. EBU R 128 (2020) and
EBU Tech 3341, for the −1 dBTP ceiling.
"""

from __future__ import annotations

import numpy as np

from restorekit.audio import check_sample_rate
from restorekit.dsp.arrays import as_channels, like_input
from restorekit.dsp.true_peak import INTERPOLATOR_REACH, true_peak, true_peak_envelope
from restorekit.errors import ParameterError

__all__ = ["soft_clip", "limit_true_peak"]

# An exponential release never quite ends; reductions smaller than this (about 1e-9 dB)
# are set to exactly none, so stretches far from any peak come back bit-identical.
_NEGLIGIBLE_REDUCTION = 1e-10
# A pass can leave an intersample peak a hair over the ceiling where the gain moves
# between peaks; aiming a little under the ceiling lets the next pass catch it for good,
# and a last resort in limit_true_peak guarantees the ceiling whatever happens.
_MAX_PASSES = 4
_TARGET_MARGIN_DB = 1e-4
_CEILING_TOLERANCE = 1e-9


def soft_clip(samples: np.ndarray, *, ceiling: float = 1.0, knee: float = 0.9) -> np.ndarray:
    """Saturate smoothly above ``knee * ceiling`` so that no sample exceeds ``ceiling``.

    The curve is the identity up to the knee and
    ``ceiling * (knee + (1 - knee) * tanh((|x| / ceiling - knee) / (1 - knee)))`` above it,
    with the sign of ``x``: continuous with a continuous slope (1 at the knee, since
    tanh'(0) = 1), strictly increasing, and approaching ``ceiling`` without reaching it.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples, ``(channels, frames)`` or 1-D.
    ceiling : float
        Largest output magnitude, greater than 0.
    knee : float
        Fraction of the ceiling below which samples pass unchanged, from 0 (tanh
        everywhere) to just under 1 (almost hard clipping).

    Returns
    -------
    numpy.ndarray
        Clipped samples, same shape and float type as ``samples``.

    Examples
    --------
    >>> soft_clip([0.5, 0.95, 3.0, -3.0]).round(4)
    array([ 0.5   ,  0.9462,  1.    , -1.    ])
    """
    if not (isinstance(ceiling, (int, float, np.number)) and np.isfinite(ceiling)
            and ceiling > 0):
        raise ParameterError(f"ceiling must be a finite number greater than 0, got "
                             f"{ceiling!r}.")
    if not (isinstance(knee, (int, float, np.number)) and 0 <= knee < 1):
        raise ParameterError(f"knee must be from 0 up to (not including) 1, got {knee!r}.")
    x = as_channels(samples)
    magnitude = np.abs(x) / ceiling
    over = magnitude > knee
    bent = knee + (1.0 - knee) * np.tanh((magnitude[over] - knee) / (1.0 - knee))
    out = x.copy()
    out[over] = np.sign(x[over]) * ceiling * bent
    return like_input(out, samples)


def _release(reduction: np.ndarray, *, release_frames: float) -> np.ndarray:
    """Hold each gain reduction and let it decay by ``exp(-1 / release_frames)`` a frame.

    The held reduction is ``max over k <= n of r[k] * exp(-(n - k) / T)``. In the log
    domain that is ``max_k (log r[k] + k / T) - n / T``, a running maximum, so this
    one-pole release needs no Python loop over frames.
    """
    if release_frames == 0 or not reduction.any():
        return reduction
    n = np.arange(reduction.size)
    shifted = np.full(reduction.size, -np.inf)
    active = reduction > 0
    shifted[active] = np.log(reduction[active]) + n[active] / release_frames
    return np.exp(np.maximum.accumulate(shifted) - n / release_frames)


def _limiting_gain(envelope: np.ndarray, *, ceiling: float, lookahead: int,
                   release_frames: float) -> np.ndarray:
    """Per-frame gain that brings ``envelope`` under ``ceiling``, smoothly."""
    from scipy.ndimage import maximum_filter1d, uniform_filter1d  # slow to import

    target = ceiling * 10.0 ** (-_TARGET_MARGIN_DB / 20.0)
    reduction = np.zeros(envelope.size)
    over = envelope > target
    reduction[over] = 1.0 - target / envelope[over]
    reduction = _release(reduction, release_frames=release_frames)
    # A sliding maximum of the reduction, then a moving average over a window no wider
    # than the maximum's: every frame the average sees around a peak carries at least
    # that peak's reduction, so smoothing never leaves a peak short. The maximum is
    # wider by the interpolator's reach, so the gain is flat over every sample that
    # shapes the intersample values next to the peak.
    half_average = lookahead // 2
    reduction = maximum_filter1d(reduction, size=2 * (half_average + INTERPOLATOR_REACH) + 1,
                                 mode="nearest")
    reduction = uniform_filter1d(reduction, size=2 * half_average + 1, mode="nearest")
    reduction[reduction < _NEGLIGIBLE_REDUCTION] = 0.0
    return 1.0 - reduction


def limit_true_peak(samples: np.ndarray, *, sample_rate: int, ceiling_db: float = -1.0,
                    lookahead_ms: float = 1.5, release_ms: float = 50.0) -> np.ndarray:
    """Look-ahead limiter that keeps the true peak at or below ``ceiling_db`` dBTP.

    Parameters
    ----------
    samples : numpy.ndarray
        Finite samples, ``(channels, frames)`` or 1-D.
    sample_rate : int
        Samples per second; sets the true-peak oversampling (BS.1770-4 Annex 2).
    ceiling_db : float
        Highest true peak allowed in the output, in dBTP, from −60 to 0.
    lookahead_ms : float
        How long the gain takes to come down before a peak, 0.1 to 100 ms. It reaches
        its minimum 16 frames (the interpolator's reach) before the peak and holds it
        until 16 frames after, so the intersample values around the peak are scaled
        evenly.
    release_ms : float
        Time constant of the exponential recovery after a peak, 0 to 10 000 ms.

    Returns
    -------
    numpy.ndarray
        Limited samples, same shape and float type as ``samples``, with
        ``true_peak(out) <= ceiling`` (to float rounding). The same gain goes to every
        channel, so the stereo image does not move; frames whose neighbourhood needs
        no reduction are returned bit-identical, and a signal already under the
        ceiling comes back as an unchanged copy.

    Notes
    -----
    A gain that changes between frames changes the intersample values too, so one pass
    can leave a peak marginally over; the limiter checks its output and runs again, up
    to four passes. If a peak were still over after that, the whole signal would be
    scaled down to the ceiling: the guarantee holds whatever the input.
    """
    rate = check_sample_rate(sample_rate)
    for name, value, low, high in (("ceiling_db", ceiling_db, -60.0, 0.0),
                                   ("lookahead_ms", lookahead_ms, 0.1, 100.0),
                                   ("release_ms", release_ms, 0.0, 10_000.0)):
        if not (isinstance(value, (int, float, np.number)) and low <= value <= high):
            raise ParameterError(f"{name} must be a number from {low:g} to {high:g}, got "
                                 f"{value!r}.")
    x = as_channels(samples)
    ceiling = 10.0 ** (ceiling_db / 20.0)
    allowed = ceiling * (1.0 + _CEILING_TOLERANCE)
    lookahead = max(1, round(lookahead_ms * rate / 1000.0))
    release_frames = release_ms * rate / 1000.0

    out = x
    for _ in range(_MAX_PASSES):
        envelope = true_peak_envelope(out, sample_rate=rate)
        if envelope.max(initial=0.0) <= allowed:
            break
        out = out * _limiting_gain(envelope, ceiling=ceiling, lookahead=lookahead,
                                   release_frames=release_frames)
    else:  # every pass found a peak over, so check what the last one left
        peak = true_peak(out, sample_rate=rate)
        if peak > allowed:
            out = out * (ceiling / peak)  # the last resort described in Notes
    if out is x:
        out = x.copy()  # x may be a view of the caller's array; hand back our own
    return like_input(out, samples)
