"""Dethump: fitted damped pulses come out; music without thumps stays untouched."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.degrade.presets import simulate_vinyl_artifacts
from restorekit.errors import ParameterError
from restorekit.metrics.registry import get_metric
from restorekit.restore.dethump import Dethump

RATE = 44100


def test_thumps_are_taken_out():
    from restorekit.synth import synthesize_music

    music = synthesize_music(sample_rate=RATE, duration=10.0, rng=np.random.default_rng(1))
    damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(1), impulse_rate=0.0,
                                       surface_noise_level=(0.002, 0.003),
                                       crackle_level=(0.0, 0.0), thump_rate=1.0)
    thumps = damaged.truth.find("thumps")[0]
    target = damaged.audio.samples - thumps.added
    done = Dethump().restore(damaged.audio)
    si_sdr = get_metric("si_sdr")
    before = si_sdr(target, damaged.audio.samples, RATE)
    after = si_sdr(target, done.audio.samples, RATE)
    assert after > before + 2.0  # measured 9.2 -> 12.3 dB
    assert 0 < done.report["thumps"] <= len(thumps.events["start"])


def test_a_lone_thump_is_fitted_closely(rng):
    t = np.arange(RATE) / RATE
    x = 0.01 * rng.normal(size=RATE)
    onset = 20000
    dt = t[onset:] - t[onset]
    thump = 0.3 * np.sin(2 * np.pi * 42 * dt) * np.exp(-dt / 0.12)
    x[onset:] += thump
    done = Dethump().restore(Audio(x, RATE))
    assert done.report["thumps"] == 1
    assert done.report["frequencies_hz"][0] == pytest.approx(42, abs=2.5)
    left = done.audio.samples[0, onset:].astype(float) - x[onset:] + thump
    assert np.sqrt(np.mean(left ** 2)) < 0.25 * np.sqrt(np.mean(thump ** 2))


def test_music_without_thumps_is_left_alone(stereo_music):
    done = Dethump().restore(stereo_music)
    assert done.report["thumps"] == 0
    assert not done.removed.samples.any()


@pytest.mark.parametrize("bad", [{"cutoff_hz": 20}, {"threshold": 1}, {"explained": 2}])
def test_absurd_settings_are_refused(bad):
    with pytest.raises(ParameterError):
        Dethump(**bad)
