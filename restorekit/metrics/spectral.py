"""Comparisons of short-time spectra: log-spectral distance, multi-resolution STFT distance,
and distances between frame-wise spectral shape descriptors (flatness, centroid, rolloff).

Every spectrum here comes from :func:`restorekit.dsp.stft.stft` (periodic Hann window,
frames centred on multiples of the hop), so all metrics see the same frames.
"""

from __future__ import annotations

import numpy as np

from restorekit.checks import check_number
from restorekit.dsp.stft import stft
from restorekit.errors import ParameterError
from restorekit.metrics.checks import check_signals
from restorekit.metrics.registry import register

__all__ = ["lsd", "mrstft", "spectral_flatness", "centroid_distance", "rolloff_distance"]

DEFAULT_RESOLUTIONS = ((512, 128), (1024, 256), (2048, 512))


def _magnitude(x: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Magnitude spectrogram, shaped (channels, n_fft // 2 + 1, frames)."""
    return np.abs(stft(x, n_fft=n_fft, hop_length=hop_length))


def _power(x: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Power spectrogram, shaped (channels, n_fft // 2 + 1, frames)."""
    return _magnitude(x, n_fft=n_fft, hop_length=hop_length) ** 2


@register("lsd", higher_is_better=False, unit="dB")
def lsd(reference, estimate, sample_rate: int, *, n_fft: int = 2048, hop_length: int = 512,
        eps: float = 1e-10) -> float:
    r"""Log-spectral distance: RMS over frequency of the dB difference, averaged over frames.

    .. math::

        \mathrm{LSD} = \frac{1}{T} \sum_t \sqrt{\frac{1}{K} \sum_k
            \left(10 \log_{10} \frac{P_r(k, t) + \epsilon}{P_e(k, t) + \epsilon}\right)^2}

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked only).
    n_fft, hop_length : int
        STFT frame length and hop in samples.
    eps : float
        Power floor added to every bin, so that silent bins compare as equal rather than
        as infinitely far apart.

    Returns
    -------
    float
        LSD in dB, averaged over frames and channels. A broadband gain of ``g`` dB gives
        ``|g|``.

    References
    ----------
    A. H. Gray and J. D. Markel, "Distance measures for speech processing", IEEE Trans.
    Acoustics, Speech, and Signal Processing 24 (5), 1976, pp. 380-391.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    eps = check_number(eps, name="eps", low=0.0, low_open=True)
    level_ref = 10.0 * np.log10(_power(ref, n_fft=n_fft, hop_length=hop_length) + eps)
    level_est = 10.0 * np.log10(_power(est, n_fft=n_fft, hop_length=hop_length) + eps)
    per_frame = np.sqrt(np.mean((level_ref - level_est) ** 2, axis=-2))
    return float(per_frame.mean())


@register("mrstft", higher_is_better=False, unit="")
def mrstft(reference, estimate, sample_rate: int, *,
           resolutions=DEFAULT_RESOLUTIONS, eps: float = 1e-7) -> float:
    r"""Multi-resolution STFT distance (Yamamoto et al. 2020, Parallel WaveGAN).

    At each resolution the distance is the spectral convergence plus the mean absolute
    difference of log magnitudes,

    .. math::

        \frac{\lVert |S_r| - |S_e| \rVert_F}{\lVert |S_r| \rVert_F}
        + \frac{1}{N} \lVert \log |S_r| - \log |S_e| \rVert_1 ,

    and the result is the mean over resolutions. Looking at several frame lengths at
    once rewards an estimate that is right both in time detail and in frequency detail.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked only).
    resolutions : sequence of (n_fft, hop_length)
        STFT sizes; by default (512, 128), (1024, 256) and (2048, 512). (The paper used
        hops of 50, 120 and 240 samples and windows shorter than the FFT; here the
        window always spans ``n_fft``.)
    eps : float
        Floor on the squared magnitude before the square root, as in the reference
        implementation; it keeps near-silent bins from dominating the log term.

    Returns
    -------
    float
        The distance (unitless, 0 for identical signals), averaged over channels.

    References
    ----------
    R. Yamamoto, E. Song and J.-M. Kim, "Parallel WaveGAN: A fast waveform generation
    model based on generative adversarial networks with multi-resolution spectrogram",
    Proc. IEEE ICASSP, 2020, pp. 6199-6203.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    eps = check_number(eps, name="eps", low=0.0, low_open=True)
    try:
        resolutions = [tuple(pair) for pair in resolutions]
    except TypeError:
        resolutions = []
    if not resolutions or any(len(pair) != 2 for pair in resolutions):
        raise ParameterError("resolutions must be a non-empty list of (n_fft, hop_length) "
                             "pairs.")
    total = 0.0
    for n_fft, hop_length in resolutions:
        mag_ref = np.sqrt(np.maximum(_power(ref, n_fft=n_fft, hop_length=hop_length), eps))
        mag_est = np.sqrt(np.maximum(_power(est, n_fft=n_fft, hop_length=hop_length), eps))
        convergence = (np.linalg.norm(mag_ref - mag_est, axis=(-2, -1))
                       / np.linalg.norm(mag_ref, axis=(-2, -1)))
        log_l1 = np.mean(np.abs(np.log(mag_ref) - np.log(mag_est)), axis=(-2, -1))
        total += float(np.mean(convergence + log_l1))
    return total / len(resolutions)


def _flatness(power: np.ndarray) -> np.ndarray:
    """Wiener entropy of each frame: geometric over arithmetic mean of the power."""
    return np.exp(np.mean(np.log(power), axis=-2)) / np.mean(power, axis=-2)


@register("spectral_flatness", higher_is_better=False, unit="")
def spectral_flatness(reference, estimate, sample_rate: int, *, n_fft: int = 2048,
                      hop_length: int = 512, eps: float = 1e-10) -> float:
    """Absolute difference in mean spectral flatness (Wiener entropy) of the two signals.

    Flatness is the geometric mean of a frame's power spectrum divided by its arithmetic
    mean: 1 for a perfectly flat spectrum, near 0 for a pure tone, and about
    ``exp(-0.5772) = 0.56`` for white noise (one frame's periodogram bins are
    exponentially distributed, and the mean log of an exponential variable lies Euler's
    constant below the log of its mean). It is averaged over frames; the metric is
    ``|flatness(estimate) - flatness(reference)|``, so a denoiser that leaves hiss
    behind and one that makes music sound tonal and "watery" both score above 0.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz (checked only).
    n_fft, hop_length : int
        STFT frame length and hop in samples.
    eps : float
        Power floor (as in ``librosa.feature.spectral_flatness``); a silent frame has
        flatness 1.

    Returns
    -------
    float
        Distance in [0, 1], averaged over channels.

    References
    ----------
    J. D. Johnston, "Transform coding of audio signals using perceptual noise criteria",
    IEEE J. Selected Areas in Communications 6 (2), 1988, pp. 314-323.
    """
    ref, est, _ = check_signals(reference, estimate, sample_rate)
    eps = check_number(eps, name="eps", low=0.0, low_open=True)
    flat_ref = _flatness(np.maximum(_power(ref, n_fft=n_fft, hop_length=hop_length), eps))
    flat_est = _flatness(np.maximum(_power(est, n_fft=n_fft, hop_length=hop_length), eps))
    return float(np.mean(np.abs(flat_ref.mean(axis=-1) - flat_est.mean(axis=-1))))


def _centroid(magnitude: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Magnitude-weighted mean frequency of each frame; 0 Hz for a silent frame."""
    weight = magnitude.sum(axis=-2)
    centre = np.einsum("k,...kt->...t", freqs, magnitude)
    return np.divide(centre, weight, out=np.zeros_like(centre), where=weight > 0)


def _rolloff(magnitude: np.ndarray, freqs: np.ndarray, roll_percent: float) -> np.ndarray:
    """Lowest bin frequency below which ``roll_percent`` of each frame's magnitude lies."""
    cumulative = np.cumsum(magnitude, axis=-2)
    reached = cumulative >= roll_percent * cumulative[..., -1:, :]
    return freqs[np.argmax(reached, axis=-2)]


@register("centroid_distance", higher_is_better=False, unit="Hz")
def centroid_distance(reference, estimate, sample_rate: int, *, n_fft: int = 2048,
                      hop_length: int = 512) -> float:
    r"""Mean absolute difference of the frame-wise spectral centroids, in Hz.

    The centroid of a frame is its magnitude-weighted mean frequency,
    :math:`\sum_k f_k |S(k)| / \sum_k |S(k)|` (the "brightness" of the sound, as in
    ``librosa.feature.spectral_centroid``). A silent frame has centroid 0 Hz, so an
    estimate that drops a sound entirely is penalised by that sound's centroid.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz, used to label the FFT bins.
    n_fft, hop_length : int
        STFT frame length and hop in samples.

    Returns
    -------
    float
        Distance in Hz, averaged over frames and channels.

    References
    ----------
    G. Peeters, "A large set of audio features for sound description (similarity and
    classification) in the CUIDADO project", IRCAM technical report, 2004, §6.1.1.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    freqs = np.fft.rfftfreq(n_fft, d=1.0 / rate)
    mag_ref = _magnitude(ref, n_fft=n_fft, hop_length=hop_length)
    mag_est = _magnitude(est, n_fft=n_fft, hop_length=hop_length)
    return float(np.mean(np.abs(_centroid(mag_ref, freqs) - _centroid(mag_est, freqs))))


@register("rolloff_distance", higher_is_better=False, unit="Hz")
def rolloff_distance(reference, estimate, sample_rate: int, *, roll_percent: float = 0.85,
                     n_fft: int = 2048, hop_length: int = 512) -> float:
    """Mean absolute difference of the frame-wise spectral rolloff frequencies, in Hz.

    The rolloff of a frame is the lowest frequency below which ``roll_percent`` of its
    spectral magnitude lies (as in ``librosa.feature.spectral_rolloff``); it tracks
    where the high end of a sound stops, which is what band-limiting and over-eager
    hiss removal change. A silent frame has rolloff 0 Hz.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz, used to label the FFT bins.
    roll_percent : float
        Fraction of the magnitude, in (0, 1].
    n_fft, hop_length : int
        STFT frame length and hop in samples.

    Returns
    -------
    float
        Distance in Hz, averaged over frames and channels.

    References
    ----------
    G. Peeters, "A large set of audio features for sound description (similarity and
    classification) in the CUIDADO project", IRCAM technical report, 2004, §6.1.3.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    roll_percent = check_number(roll_percent, name="roll_percent", low=0.0, high=1.0,
                                low_open=True)
    freqs = np.fft.rfftfreq(n_fft, d=1.0 / rate)
    mag_ref = _magnitude(ref, n_fft=n_fft, hop_length=hop_length)
    mag_est = _magnitude(est, n_fft=n_fft, hop_length=hop_length)
    difference = _rolloff(mag_ref, freqs, roll_percent) - _rolloff(mag_est, freqs, roll_percent)
    return float(np.mean(np.abs(difference)))
