"""dynamic_range and transient_preservation against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.errors import ParameterError, RestorekitWarning
from restorekit.metrics import dynamic_range, transient_preservation

RATE = 8000
BLOCK = 400  # 50 ms at 8 kHz


def blocks_at_levels(levels_db):
    """One 50 ms block per level; alternating +-a has an RMS of exactly a."""
    signs = np.resize([1.0, -1.0], BLOCK)
    return np.concatenate([10 ** (level / 20) * signs for level in levels_db])


# 20 blocks from -60 to -3 dB in 3 dB steps. With linear interpolation the 10th
# percentile sits at index 1.9 and the 95th at index 18.05 of the sorted levels, so the
# range is 3 dB * (18.05 - 1.9) = 48.45 dB.
STEPS = -60.0 + 3.0 * np.arange(20)


def test_a_gain_keeps_the_dynamic_range():
    x = blocks_at_levels(STEPS)
    assert dynamic_range(x, 0.5 * x, RATE) == pytest.approx(0.0, abs=1e-9)


def test_halving_the_level_spread_halves_the_range():
    reference = blocks_at_levels(STEPS)                # 48.45 dB
    estimate = blocks_at_levels(-30.0 + 1.5 * np.arange(20))  # 24.225 dB
    assert dynamic_range(reference, estimate, RATE) == pytest.approx(24.225, abs=1e-9)


def test_blocks_below_the_floor_are_ignored():
    reference = blocks_at_levels(STEPS)
    gated = blocks_at_levels(np.concatenate([STEPS, [-81.0, -90.0, -100.0, -120.0, -200.0]]))
    padded = np.concatenate([reference, np.zeros(5 * BLOCK)])  # digital silence
    assert dynamic_range(gated, padded, RATE) == pytest.approx(0.0, abs=1e-9)


def test_silence_has_no_dynamic_range():
    reference = blocks_at_levels(STEPS)
    assert dynamic_range(reference, np.zeros_like(reference), RATE) == pytest.approx(48.45)


def test_dynamic_range_parameters(rng):
    x = 0.1 * rng.standard_normal(RATE)
    with pytest.raises(ParameterError, match="window_ms"):
        dynamic_range(x, x, RATE, window_ms=0)


@pytest.fixture
def bursts(rng):
    """Soft noise with four loud 25 ms bursts: a signal made of attacks."""
    x = 0.01 * rng.standard_normal(2 * RATE)
    for start in (0.2, 0.6, 1.1, 1.5):
        at = int(start * RATE)
        x[at : at + 200] += np.hanning(200) * rng.standard_normal(200)
    return x


def test_transients_survive_a_gain(bursts):
    # The onset envelope is a flux of log power, which a gain only offsets.
    assert transient_preservation(bursts, 0.25 * bursts, RATE) == pytest.approx(1.0, abs=1e-9)


def test_moved_transients_do_not_correlate(bursts):
    moved = np.roll(bursts, RATE // 8)  # every attack 125 ms late
    assert transient_preservation(bursts, moved, RATE) < 0.2


def test_smeared_transients_correlate_less(bursts):
    # A 100 ms moving average smears each attack; the envelopes then only roughly agree.
    smeared = np.convolve(bursts, np.ones(800) / 800, mode="same") * 20
    assert 0.0 < transient_preservation(bursts, smeared, RATE) < 0.9


def test_transients_of_silence_are_undefined():
    with pytest.warns(RestorekitWarning, match="constant"):
        assert np.isnan(transient_preservation(np.zeros(RATE), np.zeros(RATE), RATE))
