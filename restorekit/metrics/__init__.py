"""Metrics: how close is a restoration to the clean original?

Every metric is registered by name in :data:`METRICS` and called the same way::

    from restorekit.metrics import METRICS

    METRICS["si_sdr"](reference, estimate, sample_rate)    # -> float, in dB
    METRICS["click_f1"](true_clicks, found_clicks, sample_rate, tolerance_ms=2.0)

Each :class:`Metric` also says whether higher is better, its unit, and whether it
compares signals (``kind="signal"``) or event positions (``kind="events"``). The
functions themselves can be imported from here and called directly.

===================  ===================================================
module               metrics
===================  ===================================================
``waveform``         snr, si_sdr, mse, mae
``spectral``         lsd, mrstft, spectral_flatness, centroid_distance, rolloff_distance
``features``         mfcc_distance, chroma_distance, tonnetz_distance
``dynamics``         dynamic_range, transient_preservation
``distortion``       thd, thd_n
``events``           click_precision, click_recall, click_f1, impulse_removal_rate
``perceptual``       pesq, stoi
===================  ===================================================
"""

from restorekit.metrics.distortion import thd, thd_n
from restorekit.metrics.dynamics import dynamic_range, transient_preservation
from restorekit.metrics.events import (
    click_f1,
    click_precision,
    click_recall,
    impulse_removal_rate,
    match_events,
)
from restorekit.metrics.features import chroma_distance, mfcc_distance, tonnetz_distance
from restorekit.metrics.perceptual import pesq, stoi
from restorekit.metrics.registry import KINDS, METRICS, Metric, get_metric, register
from restorekit.metrics.spectral import (
    centroid_distance,
    lsd,
    mrstft,
    rolloff_distance,
    spectral_flatness,
)
from restorekit.metrics.waveform import mae, mse, si_sdr, snr

__all__ = [
    "METRICS", "Metric", "KINDS", "register", "get_metric", "match_events",
    "snr", "si_sdr", "mse", "mae",
    "lsd", "mrstft", "spectral_flatness", "centroid_distance", "rolloff_distance",
    "mfcc_distance", "chroma_distance", "tonnetz_distance",
    "dynamic_range", "transient_preservation", "thd", "thd_n",
    "click_precision", "click_recall", "click_f1", "impulse_removal_rate",
    "pesq", "stoi",
]
