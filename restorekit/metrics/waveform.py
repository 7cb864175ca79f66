"""Sample-by-sample comparisons: SNR, SI-SDR, mean squared and mean absolute error.

These compare waveforms directly, so they are sensitive to any delay or phase change
between reference and estimate: align the signals first.
"""

from __future__ import annotations

import numpy as np

from restorekit.metrics.checks import check_signals, undefined
from restorekit.metrics.registry import register

__all__ = ["snr", "si_sdr", "mse", "mae"]


def _ratio_db(signal_energy: float, noise_energy: float) -> float:
    """``10 log10(signal / noise)`` with the limits spelt out instead of warned about."""
    if noise_energy == 0.0:
        return float("inf")
    if signal_energy == 0.0:
        return float("-inf")
    return float(10.0 * np.log10(signal_energy / noise_energy))


@register("snr", higher_is_better=True, unit="dB")
def snr(reference, estimate, sample_rate: int) -> float:
    r"""Signal-to-noise ratio, taking the estimate's difference from the reference as noise.

    .. math:: \mathrm{SNR} = 10 \log_{10} \frac{\sum r^2}{\sum (r - e)^2}

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked, and checked against ``Audio`` inputs).

    Returns
    -------
    float
        SNR in dB; ``inf`` when the estimate equals the reference exactly, ``-inf``
        when the reference is silent but the estimate is not.

    Notes
    -----
    Energies are summed over all channels before the ratio is taken, so a stereo SNR is
    the SNR of the pair; averaging per-channel dB values instead would let one perfect
    channel make the result infinite.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    return _ratio_db(float(np.sum(ref**2)), float(np.sum((ref - est) ** 2)))


@register("si_sdr", higher_is_better=True, unit="dB")
def si_sdr(reference, estimate, sample_rate: int) -> float:
    r"""Scale-invariant signal-to-distortion ratio (Le Roux et al. 2019).

    Both signals are made zero-mean, then the reference is scaled to best fit the
    estimate; whatever of the estimate that scaled reference cannot explain is
    distortion:

    .. math::

        \alpha = \frac{\langle e, r \rangle}{\lVert r \rVert^2}, \qquad
        \mathrm{SI\text{-}SDR} = 10 \log_{10}
            \frac{\lVert \alpha r \rVert^2}{\lVert e - \alpha r \rVert^2}

    so the value does not change when the estimate is multiplied by a non-zero gain.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked only).

    Returns
    -------
    float
        SI-SDR in dB, the mean over channels of each channel's value. ``inf`` when the
        estimate equals the reference (a scaled copy reads about 300 dB, the limit
        of float64 rounding); ``-inf`` when an estimate channel is constant; NaN with a
        :class:`~restorekit.errors.RestorekitWarning` when a reference channel is
        constant (zero-mean silence has no direction to project onto).

    References
    ----------
    J. Le Roux, S. Wisdom, H. Erdogan and J. R. Hershey, "SDR – half-baked or well
    done?", Proc. IEEE ICASSP, 2019, pp. 626-630.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    # Test before removing the mean: rounding can leave a constant channel's zero-mean
    # version a hair off zero, which would then pass for a signal.
    if np.any(np.ptp(ref, axis=-1) == 0.0):
        return undefined("si_sdr", "a reference channel is constant")
    silent = np.ptp(est, axis=-1) == 0.0  # constant: none of the reference (0/0 below)
    ref = ref - ref.mean(axis=-1, keepdims=True)
    est = est - est.mean(axis=-1, keepdims=True)
    values = []
    for r, e, nothing in zip(ref, est, silent, strict=True):
        if nothing:
            values.append(float("-inf"))
            continue
        target = (np.dot(e, r) / np.dot(r, r)) * r
        values.append(_ratio_db(float(np.dot(target, target)),
                                float(np.sum((e - target) ** 2))))
    return float(np.mean(values))


@register("mse", higher_is_better=False, unit="")
def mse(reference, estimate, sample_rate: int) -> float:
    """Mean squared difference between estimate and reference samples.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked only).

    Returns
    -------
    float
        ``mean((reference - estimate) ** 2)`` over all channels and frames, in squared
        full-scale units.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    return float(np.mean((ref - est) ** 2))


@register("mae", higher_is_better=False, unit="")
def mae(reference, estimate, sample_rate: int) -> float:
    """Mean absolute difference between estimate and reference samples.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked only).

    Returns
    -------
    float
        ``mean(|reference - estimate|)`` over all channels and frames, in full-scale
        units.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    return float(np.mean(np.abs(ref - est)))
