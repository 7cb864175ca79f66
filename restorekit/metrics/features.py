"""Distances between timbre and harmony features computed by librosa: MFCC, chroma and
tonnetz.

Each feature is computed frame by frame for reference and estimate alike, and the metric
is the Euclidean distance between the two feature vectors of a frame, averaged over
frames (and then over channels).
"""

from __future__ import annotations

import numpy as np

from restorekit.checks import check_integer
from restorekit.dsp.stft import check_stft_sizes
from restorekit.metrics.checks import check_signals
from restorekit.metrics.registry import register

__all__ = ["mfcc_distance", "chroma_distance", "tonnetz_distance"]


def _mean_frame_distance(ref_features: np.ndarray, est_features: np.ndarray) -> float:
    """Euclidean distance between matching frames (feature axis -2), averaged."""
    return float(np.mean(np.linalg.norm(ref_features - est_features, axis=-2)))


def _chroma(x: np.ndarray, sample_rate: int, n_fft: int, hop_length: int) -> np.ndarray:
    import librosa  # imported here: librosa is slow to import and most callers skip it

    # tuning=0: estimating tuning separately for each signal would shift the two chroma
    # grids apart and count the difference in tuning estimates as a difference in harmony.
    return np.stack([librosa.feature.chroma_stft(y=channel, sr=sample_rate, n_fft=n_fft,
                                                 hop_length=hop_length, tuning=0.0)
                     for channel in x])


@register("mfcc_distance", higher_is_better=False, unit="")
def mfcc_distance(reference, estimate, sample_rate: int, *, n_mfcc: int = 13,
                  n_fft: int = 2048, hop_length: int = 512) -> float:
    """Mean Euclidean distance between the MFCC vectors of matching frames.

    MFCCs (librosa's defaults: 128 mel bands, dB power, orthonormal DCT-II) summarise the
    spectral envelope, i.e. timbre, in a few numbers.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz.
    n_mfcc : int
        Number of coefficients per frame, including the 0th (overall level).
    n_fft, hop_length : int
        STFT frame length and hop in samples.

    Returns
    -------
    float
        Distance (unitless), averaged over frames and channels.

    Notes
    -----
    The 0th coefficient carries level: a broadband gain of ``g`` dB shifts every mel band
    by ``g`` dB, which the orthonormal DCT turns into ``g * sqrt(128)`` on the 0th
    coefficient and nothing on the others, so this metric is not gain-invariant.

    References
    ----------
    S. B. Davis and P. Mermelstein, "Comparison of parametric representations for
    monosyllabic word recognition in continuously spoken sentences", IEEE Trans.
    Acoustics, Speech, and Signal Processing 28 (4), 1980, pp. 357-366.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    check_stft_sizes(n_fft, hop_length)
    check_integer(n_mfcc, name="n_mfcc", low=1, high=128)
    import librosa  # imported here: librosa is slow to import and most callers skip it

    def mfcc(x: np.ndarray) -> np.ndarray:
        return np.stack([librosa.feature.mfcc(y=channel, sr=rate, n_mfcc=n_mfcc, n_fft=n_fft,
                                              hop_length=hop_length) for channel in x])

    return _mean_frame_distance(mfcc(ref), mfcc(est))


@register("chroma_distance", higher_is_better=False, unit="")
def chroma_distance(reference, estimate, sample_rate: int, *, n_fft: int = 2048,
                    hop_length: int = 512) -> float:
    """Mean Euclidean distance between the chroma vectors of matching frames.

    A chroma vector folds the spectrum onto the 12 pitch classes (librosa's
    ``chroma_stft`` with A440 tuning, each frame scaled so its largest class is 1), so it
    follows harmony and melody while ignoring octave and level.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz.
    n_fft, hop_length : int
        STFT frame length and hop in samples.

    Returns
    -------
    float
        Distance (unitless, at most ``sqrt(12)``), averaged over frames and channels.

    References
    ----------
    M. A. Bartsch and G. H. Wakefield, "Audio thumbnailing of popular music using
    chroma-based representations", IEEE Trans. Multimedia 7 (1), 2005, pp. 96-104.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    check_stft_sizes(n_fft, hop_length)
    return _mean_frame_distance(_chroma(ref, rate, n_fft, hop_length),
                                _chroma(est, rate, n_fft, hop_length))


@register("tonnetz_distance", higher_is_better=False, unit="")
def tonnetz_distance(reference, estimate, sample_rate: int, *, n_fft: int = 2048,
                     hop_length: int = 512) -> float:
    """Mean Euclidean distance between the tonal-centroid (tonnetz) vectors of matching frames.

    The tonnetz projects a frame's chroma onto three circles (fifths, minor thirds, major
    thirds), giving 6 numbers in which harmonically close chords lie close together. The
    chroma comes from ``chroma_stft`` as in :func:`chroma_distance`, which, unlike
    librosa's default constant-Q chroma, works at any sample rate.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz.
    n_fft, hop_length : int
        STFT frame length and hop in samples.

    Returns
    -------
    float
        Distance (unitless), averaged over frames and channels.

    References
    ----------
    C. Harte, M. Sandler and M. Gasser, "Detecting harmonic change in musical audio",
    Proc. ACM Workshop on Audio and Music Computing Multimedia, 2006, pp. 21-26.
    """
    import librosa  # imported here: librosa is slow to import and most callers skip it

    ref, est, rate = check_signals(reference, estimate, sample_rate)
    check_stft_sizes(n_fft, hop_length)
    return _mean_frame_distance(
        librosa.feature.tonnetz(chroma=_chroma(ref, rate, n_fft, hop_length), sr=rate),
        librosa.feature.tonnetz(chroma=_chroma(est, rate, n_fft, hop_length), sr=rate))
