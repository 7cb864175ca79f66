"""The 78rpm artifact simulator and its presets: ``simulate_vinyl_artifacts``.

The chain is the physical order: the recording's own response (optional band-limit
and wow/flutter, applied to the music), then the damage on the disc surface — clicks
and scratches, crackle, surface noise — and, if asked, thumps, rumble and hum from the
playback chain. Finally the whole result is scaled down, if needed, so its true peak
sits at ``headroom_db``: writing it to a file then changes nothing, and the truth still
adds up exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from restorekit.audio import Audio
from restorekit.degrade.base import Degradation, Degraded, Truth
from restorekit.degrade.impulses import Clicks, Crackle, Thumps
from restorekit.degrade.noise import Hum, Rumble, SurfaceNoise
from restorekit.degrade.response import BandLimit, WowFlutter
from restorekit.dsp import true_peak
from restorekit.errors import ParameterError

__all__ = ["PRESETS", "simulate_vinyl_artifacts", "vinyl_chain", "random_severity"]

#: The documented severities of 78rpm damage (rates per second, levels full scale = 1).
PRESETS: dict[str, dict[str, Any]] = {
    "light": {"impulse_rate": 5.0, "impulse_amplitude": (0.05, 0.3),
              "surface_noise_level": (0.01, 0.02), "crackle_level": (0.005, 0.015)},
    "default": {"impulse_rate": 10.0, "impulse_amplitude": (0.1, 0.5),
                "surface_noise_level": (0.015, 0.03), "crackle_level": (0.01, 0.02)},
    "heavy": {"impulse_rate": 25.0, "impulse_amplitude": (0.2, 0.8),
              "surface_noise_level": (0.03, 0.05), "crackle_level": (0.02, 0.04)},
}


def vinyl_chain(*, impulse_rate=10.0, impulse_amplitude=(0.1, 0.5),
                surface_noise_level=(0.015, 0.03), crackle_level=(0.01, 0.02),
                positive_fraction=0.7, scratch_fraction=0.05, click_width_ms=(0.05, 3.0),
                ringing_level=(0.2, 0.6), thump_rate=0.0,
                rumble_level=0.0, hum_level_db=None, band_limit=False,
                wow_flutter=False) -> tuple[list[Degradation], list[Degradation]]:
    """The two halves of the simulator: the recording's response, and the damage.

    Returns ``(response, damage)``; see :func:`simulate_vinyl_artifacts` for the
    parameters. ``response`` may be empty; every part of ``damage`` is additive.
    """
    response: list[Degradation] = []
    if band_limit:
        response.append(BandLimit())
    if wow_flutter:
        response.append(WowFlutter())
    damage: list[Degradation] = [
        Clicks(impulse_rate=impulse_rate, impulse_amplitude=impulse_amplitude,
               positive_fraction=positive_fraction, scratch_fraction=scratch_fraction,
               width_ms=click_width_ms, ringing_level=ringing_level),
        Crackle(crackle_level=crackle_level),
        SurfaceNoise(surface_noise_level=surface_noise_level),
    ]
    if thump_rate:
        damage.append(Thumps(thump_rate=thump_rate))
    if rumble_level:
        damage.append(Rumble(level=rumble_level))
    if hum_level_db is not None:
        damage.append(Hum(level_db=hum_level_db))
    return response, damage


def simulate_vinyl_artifacts(audio: Audio, *, rng: np.random.Generator,
                             impulse_rate=10.0, impulse_amplitude=(0.1, 0.5),
                             surface_noise_level=(0.015, 0.03), crackle_level=(0.01, 0.02),
                             headroom_db: float = -1.0, **more: Any) -> Degraded:
    """Damage ``audio`` the way a worn 78rpm shellac disc would, and say exactly how.

    Parameters
    ----------
    audio : Audio
        Clean music, mono or stereo.
    rng : numpy.random.Generator
        The only source of randomness: the same state gives the same result.
    impulse_rate : float or (float, float)
        Clicks per second (Poisson).
    impulse_amplitude : (float, float)
        Click peaks, log-uniform between these (full scale = 1).
    surface_noise_level : (float, float)
        RMS of the surface hiss, drawn uniformly.
    crackle_level : (float, float)
        Peak level of the crackle impulses, drawn uniformly.
    headroom_db : float
        Scale everything down, if needed, so the true peak is at most this (dBTP).
    **more
        ``positive_fraction`` (0.7), ``scratch_fraction`` (0.05), ``click_width_ms``
        ((0.05, 3.0)) and ``ringing_level`` ((0.2, 0.6)) of the clicks, ``thump_rate``
        (0: off), ``rumble_level`` (0: off), ``hum_level_db`` (None: off),
        ``band_limit`` and ``wow_flutter`` (False) — see :func:`vinyl_chain`.

    Returns
    -------
    Degraded
        ``audio`` is the damaged signal, ``clean`` the music after the recording's
        response (what a restorer should give back), both scaled by the same
        ``truth.params["gain"]``; ``audio == clean + added_total()`` to float32
        precision.

    Examples
    --------
    >>> import numpy as np
    >>> from restorekit.synth import synthesize_music
    >>> music = synthesize_music(sample_rate=22050, duration=2.0,
    ...                          rng=np.random.default_rng(0))
    >>> damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(7),
    ...                                    **PRESETS["heavy"])
    >>> len(damaged.truth.find("clicks")[0].events["start"]) > 20
    True
    """
    if not np.isfinite(headroom_db) or not -60 <= headroom_db <= 0:
        raise ParameterError(f"headroom_db must be between -60 and 0 dBTP, got {headroom_db!r}.")
    unknown = set(more) - {"positive_fraction", "scratch_fraction", "click_width_ms",
                           "ringing_level", "thump_rate",
                           "rumble_level", "hum_level_db", "band_limit", "wow_flutter"}
    if unknown:
        raise ParameterError(f"simulate_vinyl_artifacts got unknown parameters "
                             f"{sorted(unknown)}.")
    response, damage = vinyl_chain(impulse_rate=impulse_rate,
                                   impulse_amplitude=impulse_amplitude,
                                   surface_noise_level=surface_noise_level,
                                   crackle_level=crackle_level, **more)
    truth = Truth("vinyl", rng_state=rng.bit_generator.state)
    music = _run(response, audio, rng, truth)
    damaged = _run(damage, music, rng, truth)
    ceiling = 10 ** (headroom_db / 20)
    peak = true_peak(damaged.samples, sample_rate=damaged.sample_rate)
    gain = min(1.0, ceiling / peak) if peak > 0 else 1.0
    truth.params = {"impulse_rate": impulse_rate, "impulse_amplitude": impulse_amplitude,
                    "surface_noise_level": surface_noise_level,
                    "crackle_level": crackle_level, "headroom_db": headroom_db,
                    **more, "gain": gain}
    if gain == 1.0:
        return Degraded(damaged, music, truth)
    g = np.float32(gain)
    return Degraded(damaged.with_samples(damaged.samples * g),
                    music.with_samples(music.samples * g), truth.scaled(gain))


def _run(parts: list[Degradation], audio: Audio, rng: np.random.Generator,
         truth: Truth) -> Audio:
    """Apply ``parts`` in order, recording each one's truth under ``truth``."""
    for part in parts:
        step = part(audio, rng)
        audio = step.audio
        truth.children.append(step.truth)
    return audio


def random_severity(rng: np.random.Generator) -> dict[str, Any]:
    """Draw a random severity for training, as keyword arguments of the simulator.

    Covers the range from nearly clean to worse than ``heavy``: impulse rate U(5, 20) per
    second; largest click U(0.3, 0.8) with the smallest a fifth of it; surface noise RMS
    up to U(0.005, 0.05); crackle up to U(0.005, 0.04); thumps in a quarter of cases.
    """
    amp_max = rng.uniform(0.3, 0.8)
    noise_max = rng.uniform(0.005, 0.05)
    crackle_max = rng.uniform(0.005, 0.04)
    return {"impulse_rate": float(rng.uniform(5, 20)),
            "impulse_amplitude": (amp_max / 5, amp_max),
            "surface_noise_level": (noise_max / 2, noise_max),
            "crackle_level": (crackle_max / 2, crackle_max),
            "positive_fraction": float(rng.uniform(0.5, 0.9)),
            "thump_rate": float(rng.uniform(0.05, 0.3)) if rng.random() < 0.25 else 0.0}
