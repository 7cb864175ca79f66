"""Synthetic damage with ground truth: judge restorers on what was really added.

Every degradation is called as ``degradation(audio, rng) -> Degraded`` and returns the
damaged audio, the clean reference and a :class:`Truth` (parameters drawn, events added,
the added signal for additive damage, the generator state it started from).

=====================  ===============================================================
module                 degradations
=====================  ===============================================================
``base``               Degradation, Compose, OneOf, SomeOf, Truth, Degraded
``impulses``           Clicks (and scratches), Crackle, Thumps
``noise``              SurfaceNoise, Rumble, Hum
``response``           BandLimit, WowFlutter, Saturation
``lossy``              Mp3, Resample, AdditiveNoise
``presets``            simulate_vinyl_artifacts, PRESETS, random_severity
``truth_io``           save_truth, load_truth
=====================  ===============================================================
"""

from restorekit.degrade.base import (
    Compose,
    Degradation,
    Degraded,
    OneOf,
    SomeOf,
    Truth,
)
from restorekit.degrade.impulses import Clicks, Crackle, Thumps
from restorekit.degrade.lossy import AdditiveNoise, Mp3, Resample
from restorekit.degrade.noise import Hum, Rumble, SurfaceNoise
from restorekit.degrade.presets import (
    PRESETS,
    random_severity,
    simulate_vinyl_artifacts,
    vinyl_chain,
)
from restorekit.degrade.response import BandLimit, Saturation, WowFlutter
from restorekit.degrade.truth_io import load_truth, save_truth

__all__ = [
    "Degradation", "Degraded", "Truth", "Compose", "OneOf", "SomeOf",
    "Clicks", "Crackle", "Thumps", "SurfaceNoise", "Rumble", "Hum",
    "BandLimit", "WowFlutter", "Saturation", "Mp3", "Resample", "AdditiveNoise",
    "PRESETS", "simulate_vinyl_artifacts", "vinyl_chain", "random_severity",
    "save_truth", "load_truth",
]
