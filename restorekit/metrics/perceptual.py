"""Perceptual speech-quality and intelligibility models: PESQ and STOI.

Both were designed and validated for speech, not music; on music they still rank
degradations of the same recording sensibly, but their absolute values (a "MOS" of 3.2)
should not be read as listening-test scores. Both work on one channel at a fixed rate,
so multichannel input is mixed to mono (the mean of the channels) and resampled with
soxr at its very-high-quality setting before the model sees it.
"""

from __future__ import annotations

import warnings

import numpy as np

from restorekit.metrics.checks import check_signals, undefined
from restorekit.metrics.registry import register

__all__ = ["pesq", "stoi", "PESQ_RATE", "STOI_RATE"]

PESQ_RATE = 16_000
"""Wide-band PESQ (ITU-T P.862.2) is defined at 16 kHz."""

STOI_RATE = 10_000
"""STOI analyses speech at 10 kHz; giving it that rate stops pystoi resampling again."""


def _mono_at(x: np.ndarray, sample_rate: int, target_rate: int) -> np.ndarray:
    """Mix (channels, frames) to mono and resample it to ``target_rate``."""
    import soxr  # imported here: only the perceptual metrics resample

    mono = x.mean(axis=0)
    if sample_rate == target_rate:
        return mono
    return soxr.resample(mono, sample_rate, target_rate, quality="VHQ")


@register("pesq", higher_is_better=True, unit="MOS")
def pesq(reference, estimate, sample_rate: int) -> float:
    """Wide-band PESQ (ITU-T P.862.2) score of the estimate against the reference.

    PESQ aligns the two signals in time, maps them to a model of loudness perception,
    and turns the audible differences into a predicted mean opinion score (MOS-LQO).
    This calls the ``pesq`` package (the ITU reference code) in wide-band mode at 16 kHz.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape, at least 1/4 s long; mixed to mono and resampled to
        16 kHz.
    sample_rate : int
        Sample rate in Hz of both signals.

    Returns
    -------
    float
        MOS-LQO from about 1.0 (bad) to 4.64 (no audible difference). NaN with a
        :class:`~restorekit.errors.RestorekitWarning` saying why when PESQ is undefined:
        a silent reference, a signal shorter than 1/4 s, or no speech-like activity
        found.

    References
    ----------
    ITU-T Recommendation P.862.2, "Wideband extension to Recommendation P.862 for the
    assessment of wideband telephone networks and speech codecs", 2007.
    A. W. Rix, J. G. Beerends, M. P. Hollier and A. P. Hekstra, "Perceptual evaluation of
    speech quality (PESQ)", Proc. IEEE ICASSP, 2001, pp. 749-752.
    """
    from pesq import PesqError
    from pesq import pesq as pesq_score

    ref, est, rate = check_signals(reference, estimate, sample_rate)
    ref = _mono_at(ref, rate, PESQ_RATE)
    est = _mono_at(est, rate, PESQ_RATE)
    if not np.any(ref):
        return undefined("pesq", "the reference is silent")
    try:
        return float(pesq_score(PESQ_RATE, ref, est, "wb"))
    except PesqError as error:
        message = error.args[0] if error.args else type(error).__name__
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        return undefined("pesq", f"the PESQ model said: {message}")


@register("stoi", higher_is_better=True, unit="")
def stoi(reference, estimate, sample_rate: int, *, extended: bool = False) -> float:
    """Short-time objective intelligibility (STOI, Taal et al. 2011) of the estimate.

    STOI correlates the short-time (384 ms) one-third-octave band envelopes of the two
    signals after dropping frames more than 40 dB below the loudest; it predicts how
    intelligible the estimate is. This calls ``pystoi`` at its native 10 kHz.

    Parameters
    ----------
    reference, estimate : numpy.ndarray or Audio
        Signals of the same shape; mixed to mono and resampled to 10 kHz.
    sample_rate : int
        Sample rate in Hz of both signals.
    extended : bool
        Compute extended STOI (ESTOI, Jensen & Taal 2016), which also credits spectral
        correlation and suits fluctuating noise better.

    Returns
    -------
    float
        Intelligibility, at most 1 (identical). NaN with a
        :class:`~restorekit.errors.RestorekitWarning` when the reference is silent or
        less than about 0.4 s of it is within 40 dB of its loudest frame.

    References
    ----------
    C. H. Taal, R. C. Hendriks, R. Heusdens and J. Jensen, "An algorithm for
    intelligibility prediction of time-frequency weighted noisy speech", IEEE Trans.
    Audio, Speech, and Language Processing 19 (7), 2011, pp. 2125-2136.
    J. Jensen and C. H. Taal, "An algorithm for predicting the intelligibility of speech
    masked by modulated noise maskers", IEEE/ACM Trans. Audio, Speech, and Language
    Processing 24 (11), 2016, pp. 2009-2022.
    """
    from pystoi import stoi as stoi_score

    ref, est, rate = check_signals(reference, estimate, sample_rate)
    ref = _mono_at(ref, rate, STOI_RATE)
    est = _mono_at(est, rate, STOI_RATE)
    if not np.any(ref):
        return undefined("stoi", "the reference is silent")
    # pystoi signals "too short" with a RuntimeWarning and a dummy score of 1e-5;
    # catch that and say so properly instead.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score = float(stoi_score(ref, est, STOI_RATE, extended=bool(extended)))
    too_short = False
    for caught_warning in caught:
        if "Not enough STFT frames" in str(caught_warning.message):
            too_short = True
        else:
            warnings.warn_explicit(caught_warning.message, caught_warning.category,
                                   caught_warning.filename, caught_warning.lineno)
    if too_short:
        return undefined("stoi", "less than 30 frames (about 0.4 s) of the reference "
                                 "are within 40 dB of its loudest frame")
    return score
