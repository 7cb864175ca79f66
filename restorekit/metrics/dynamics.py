"""How level and attacks change over time: dynamic range and transient preservation.

A restoration that pumps (a noise gate), squashes (a limiter) or smears attacks (heavy
spectral smoothing) can score well on spectral metrics while sounding lifeless; these two
metrics look for exactly that.
"""

from __future__ import annotations

import numpy as np

from restorekit.checks import check_number
from restorekit.errors import ParameterError
from restorekit.metrics.checks import check_signals, undefined
from restorekit.metrics.registry import register

__all__ = ["dynamic_range", "transient_preservation"]


def _short_term_levels(channel: np.ndarray, window: int) -> np.ndarray:
    """RMS level in dB of consecutive ``window``-sample blocks (the last may be shorter).

    Levels are ``20 log10(rms)``, i.e. dB relative to a full-scale square wave (a
    full-scale sine reads -3 dB); an all-zero block reads ``-inf``.
    """
    starts = np.arange(0, channel.size, window)
    counts = np.diff(np.append(starts, channel.size))
    mean_square = np.add.reduceat(channel**2, starts) / counts
    levels = np.full(mean_square.shape, -np.inf)
    loud = mean_square > 0
    levels[loud] = 10.0 * np.log10(mean_square[loud])
    return levels


def _dynamic_range_db(channel: np.ndarray, window: int, floor_db: float) -> float:
    """95th minus 10th percentile of the block levels above ``floor_db`` (0 if none)."""
    levels = _short_term_levels(channel, window)
    levels = levels[levels >= floor_db]
    if levels.size == 0:
        return 0.0
    low, high = np.percentile(levels, [10.0, 95.0])
    return float(high - low)


@register("dynamic_range", higher_is_better=False, unit="dB")
def dynamic_range(reference, estimate, sample_rate: int, *, window_ms: float = 50.0,
                  floor_db: float = -80.0) -> float:
    """Absolute difference in dynamic range between estimate and reference, in dB.

    The dynamic range of a signal is taken as the spread of its short-term level: the
    95th minus the 10th percentile of the RMS level of consecutive ``window_ms`` blocks.
    Blocks quieter than ``floor_db`` are left out, so digital silence and run-out grooves
    before and after the music do not count as "quiet passages". A signal with no block
    above the floor has a dynamic range of 0 dB. Percentiles rather than the extremes
    keep a single click or dropout from setting the range.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz, used to turn ``window_ms`` into samples.
    window_ms : float
        Block length in milliseconds (at least one sample).
    floor_db : float
        Gate in dB relative to full scale (``20 log10(rms)``); quieter blocks are ignored.

    Returns
    -------
    float
        ``|DR(estimate) - DR(reference)|`` in dB, averaged over channels; 0 means the
        estimate kept the reference's dynamics.

    References
    ----------
    The percentile spread of short-term levels follows the idea of EBU Tech 3342
    (loudness range, which uses the 10th to 95th percentiles of short-term loudness);
    this simpler version measures unweighted RMS over short blocks.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    window_ms = check_number(window_ms, name="window_ms", low=0.0, low_open=True)
    floor_db = check_number(floor_db, name="floor_db")
    window = max(1, round(window_ms * rate / 1000.0))
    return float(np.mean([abs(_dynamic_range_db(e, window, floor_db)
                              - _dynamic_range_db(r, window, floor_db))
                          for r, e in zip(ref, est, strict=True)]))


@register("transient_preservation", higher_is_better=True, unit="")
def transient_preservation(reference, estimate, sample_rate: int, *,
                           hop_length: int = 512) -> float:
    """Pearson correlation of the onset-strength envelopes of reference and estimate.

    The onset-strength envelope (librosa's ``onset_strength``: half-wave rectified
    spectral flux of the log-power mel spectrogram) peaks at every attack. If the
    estimate has its attacks where the reference has them, and as strong relative to
    one another, the two envelopes rise and fall together and the correlation is near 1.
    Because the flux is taken on log power, a change of overall gain leaves it unchanged.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, 1-D (mono) or ``(channels, frames)``.
    sample_rate : int
        Sample rate in Hz.
    hop_length : int
        Samples between envelope frames.

    Returns
    -------
    float
        Correlation in [-1, 1], averaged over channels. NaN with a
        :class:`~restorekit.errors.RestorekitWarning` when either envelope is constant
        (e.g. in silence), where correlation is undefined.

    References
    ----------
    J. P. Bello, L. Daudet, S. Abdallah, C. Duxbury, M. Davies and M. B. Sandler, "A
    tutorial on onset detection in music signals", IEEE Trans. Speech and Audio
    Processing 13 (5), 2005, pp. 1035-1047.
    """
    ref, est, rate = check_signals(reference, estimate, sample_rate)
    if not (isinstance(hop_length, (int, np.integer)) and hop_length > 0):
        raise ParameterError(f"hop_length must be a positive integer, got {hop_length!r}.")
    import librosa  # imported here: librosa is slow to import and most callers skip it

    correlations = []
    for r, e in zip(ref, est, strict=True):
        env_ref = librosa.onset.onset_strength(y=r, sr=rate, hop_length=hop_length)
        env_est = librosa.onset.onset_strength(y=e, sr=rate, hop_length=hop_length)
        env_ref = env_ref - env_ref.mean()
        env_est = env_est - env_est.mean()
        norm = np.linalg.norm(env_ref) * np.linalg.norm(env_est)
        if norm == 0.0:
            return undefined("transient_preservation", "an onset envelope is constant")
        correlations.append(float(np.dot(env_ref, env_est) / norm))
    return float(np.mean(correlations))
