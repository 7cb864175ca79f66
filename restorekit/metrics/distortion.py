"""Distortion of a test tone: total harmonic distortion (THD) and THD plus noise (THD+N).

Both assume the estimate is meant to be a single pure sine (a test tone sent through a
restorer, a dither or a save/load round trip). The whole signal is analysed with one
windowed FFT, and the power of each component is the power summed over the bins of its
window main lobe, which by Parseval's theorem is proportional to the component's power
whatever its exact frequency.
"""

from __future__ import annotations

import numpy as np

from restorekit.checks import check_number
from restorekit.errors import ParameterError
from restorekit.metrics.checks import check_signals, undefined
from restorekit.metrics.registry import register

__all__ = ["thd", "thd_n"]

# A Kaiser window with beta = 38 has side lobes below -250 dB, so the tone's leakage never
# masquerades as distortion or noise. (The usual 4-term Blackman-Harris window leaks at
# about -87 dB, above the noise of the 16-bit dither that THD+N is used to check.) The
# Kaiser main lobe spans about +-12 bins; summing +-14 bins also catches the tone's full
# power when its frequency falls between bins.
_KAISER_BETA = 38.0
_HALF_BAND = 14


def _power_spectrum(x: np.ndarray) -> np.ndarray:
    """Power of the Kaiser-windowed FFT of each channel, (channels, frames // 2 + 1)."""
    # Periodic rather than symmetric window: drop the last point of one a sample longer.
    window = np.kaiser(x.shape[-1] + 1, _KAISER_BETA)[:-1]
    return np.abs(np.fft.rfft(x * window, axis=-1)) ** 2


def _peak_bin(x: np.ndarray) -> float:
    """Fractional FFT bin of the strongest sinusoid in ``x`` (channels summed).

    The mean is removed first so that a DC offset is never taken for the tone. Near its
    peak the log of a Kaiser main lobe is close to a parabola, so fitting one through
    the three highest bins locates the tone to a small fraction of a bin.
    """
    power = _power_spectrum(x - x.mean(axis=-1, keepdims=True)).sum(axis=0)
    peak = int(np.argmax(power[1:-1])) + 1
    left, centre, right = np.log(np.maximum(power[peak - 1 : peak + 2], 1e-300))
    curvature = left - 2.0 * centre + right
    offset = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    return peak + offset


def _band_power(power: np.ndarray, centre_bin: float) -> np.ndarray:
    """Power summed over the bins within ``_HALF_BAND`` of ``centre_bin``, per channel."""
    middle = int(round(centre_bin))
    return power[..., middle - _HALF_BAND : middle + _HALF_BAND + 1].sum(axis=-1)


def _fundamental(reference: np.ndarray, estimate: np.ndarray, rate: int,
                 fundamental_hz: float | None, metric: str) -> tuple[np.ndarray, float]:
    """Return the estimate's power spectrum and the fundamental's (fractional) bin.

    The bin is NaN, after a warning, when the fundamental cannot be resolved.
    """
    frames = estimate.shape[-1]
    if fundamental_hz is not None:
        fundamental_hz = check_number(fundamental_hz, name="fundamental_hz", low=0.0,
                                      high=rate / 2, low_open=True)
    if frames < 8 * _HALF_BAND:
        undefined(metric, f"{frames} frames are too few to resolve a tone; use at least "
                          f"{8 * _HALF_BAND}")
        return np.zeros(0), float("nan")
    power = _power_spectrum(estimate)
    if fundamental_hz is not None:
        f0_bin = fundamental_hz * frames / rate
    elif np.ptp(reference) > 0:
        f0_bin = _peak_bin(reference)
    else:
        # No reference tone to go by: the estimate's own strongest component is it.
        f0_bin = _peak_bin(estimate)
    # The bands of DC, the fundamental and its harmonics must not overlap, and the
    # fundamental's band must fit below the Nyquist frequency.
    if not 2 * _HALF_BAND + 1 < f0_bin < frames / 2 - _HALF_BAND:
        f0_hz = f0_bin * rate / frames
        undefined(metric, f"a fundamental at {f0_hz:.1f} Hz is too close to 0 Hz or the "
                          "Nyquist frequency to resolve in a signal this short")
        return power, float("nan")
    return power, float(f0_bin)


def _ratio_db(part: np.ndarray, fundamental: np.ndarray, metric: str) -> float:
    """Mean over channels of ``10 log10(part / fundamental)``, with the limits spelt out."""
    if np.any(fundamental == 0.0):
        return undefined(metric, "the estimate has no energy at the fundamental")
    ratio = part / fundamental
    levels = np.full(ratio.shape, -np.inf)
    levels[ratio > 0] = 10.0 * np.log10(ratio[ratio > 0])
    return float(np.mean(levels))


@register("thd", higher_is_better=False, unit="dB")
def thd(reference, estimate, sample_rate: int, *, fundamental_hz: float | None = None,
        n_harmonics: int = 10) -> float:
    r"""Total harmonic distortion of the estimate, taken to be a pure sine, in dB.

    .. math:: \mathrm{THD} = 10 \log_{10} \frac{\sum_{h=2}^{H} P_h}{P_1}

    where :math:`P_h` is the power at ``h`` times the fundamental frequency. Harmonics
    above the Nyquist frequency are left out (their aliases are not looked for).

    Parameters
    ----------
    reference : numpy.ndarray or Audio
        The clean tone; its strongest component gives the fundamental frequency. With no
        reference, pass the estimate here too (or zeros: a constant reference falls back
        to the estimate's own strongest component).
    estimate : numpy.ndarray or Audio
        The tone to measure, the same shape as ``reference``.
    sample_rate : int
        Sample rate in Hz.
    fundamental_hz : float, optional
        The fundamental frequency, when known; overrides the search.
    n_harmonics : int
        Highest harmonic counted (default 10, i.e. harmonics 2 to 10).

    Returns
    -------
    float
        THD in dB (a 1 % third harmonic gives -40 dB), averaged over channels. NaN with a
        :class:`~restorekit.errors.RestorekitWarning` if the signal is too short to
        separate the harmonics (about 30 periods are needed) or has no fundamental.

    References
    ----------
    AES17-2020, "AES standard method for digital audio engineering - Measurement of
    digital audio equipment", §6.3 (harmonic distortion). J. F. Kaiser and R. W. Schafer,
    "On the use of the I0-sinh window for spectrum analysis", IEEE Trans. Acoustics,
    Speech, and Signal Processing 28 (1), 1980, pp. 105-107.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    if not (isinstance(n_harmonics, (int, np.integer)) and n_harmonics >= 2):
        raise ParameterError(f"n_harmonics must be an integer of at least 2, "
                             f"got {n_harmonics!r}.")
    power, f0_bin = _fundamental(ref, est, rate, fundamental_hz, "thd")
    if np.isnan(f0_bin):
        return f0_bin
    last_bin = power.shape[-1] - 1
    harmonics = np.zeros(len(power))
    for h in range(2, n_harmonics + 1):
        if h * f0_bin + _HALF_BAND <= last_bin:
            harmonics += _band_power(power, h * f0_bin)
    return _ratio_db(harmonics, _band_power(power, f0_bin), "thd")


@register("thd_n", higher_is_better=False, unit="dB")
def thd_n(reference, estimate, sample_rate: int, *,
          fundamental_hz: float | None = None) -> float:
    r"""Total harmonic distortion plus noise of the estimate, taken to be a pure sine, in dB.

    .. math:: \mathrm{THD{+}N} = 10 \log_{10} \frac{P_\mathrm{total} - P_1 - P_\mathrm{DC}}{P_1}

    i.e. everything but the fundamental (harmonics, hum, hiss, dither, quantisation
    error) relative to the fundamental, as a notch-filter THD+N meter reads it. The
    lowest few bins are left out as DC, as the measurement band of AES17 leaves out DC.
    For a sine in white noise it equals ``-SNR``.

    Parameters
    ----------
    reference : numpy.ndarray or Audio
        The clean tone, used to find the fundamental frequency (see :func:`thd`).
    estimate : numpy.ndarray or Audio
        The tone to measure, the same shape as ``reference``.
    sample_rate : int
        Sample rate in Hz.
    fundamental_hz : float, optional
        The fundamental frequency, when known; overrides the search.

    Returns
    -------
    float
        THD+N in dB, averaged over channels; NaN with a warning as for :func:`thd`.

    References
    ----------
    AES17-2020, "AES standard method for digital audio engineering - Measurement of
    digital audio equipment", §6.2 (total harmonic distortion plus noise).
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    power, f0_bin = _fundamental(ref, est, rate, fundamental_hz, "thd_n")
    if np.isnan(f0_bin):
        return f0_bin
    # Sum the rest directly rather than subtract the fundamental from the total: the
    # subtraction would lose the -150 dB residue of a clean tone to rounding.
    middle = int(round(f0_bin))
    rest = np.ones(power.shape[-1], dtype=bool)
    rest[: _HALF_BAND + 1] = False
    rest[middle - _HALF_BAND : middle + _HALF_BAND + 1] = False
    return _ratio_db(power[..., rest].sum(axis=-1), _band_power(power, f0_bin), "thd_n")
