"""Small benchmark cases (1 s of synthesised music at 22.05 kHz) and tiny methods."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.evaluate import make_case
from restorekit.restore.base import Restorer

RATE = 22050


@pytest.fixture(scope="module")
def music():
    """One second of the project's synthesised stereo music at 22.05 kHz."""
    from restorekit.synth import synthesize_music

    return synthesize_music(sample_rate=RATE, duration=1.0, rng=np.random.default_rng(11))


@pytest.fixture(scope="module")
def case(music):
    """``music`` with the default 78rpm damage (seed 5)."""
    return make_case(music, preset="default", seed=5, source="synth")


class Zeros(Restorer):
    """A bad restorer: zeros every other 10 ms of the signal (dropouts)."""

    name = "zeros"

    def _process(self, audio, *, offset=0):
        out = audio.samples.astype(np.float64)
        block = audio.sample_rate // 100
        for start in range(0, audio.frames, 2 * block):
            out[:, start:start + block] = 0.0
        return out, None, {}


class Halve(Restorer):
    """Halves the signal: removes half of everything, music included."""

    name = "halve"

    def _process(self, audio, *, offset=0):
        return 0.5 * audio.samples.astype(np.float64), None, {}


@pytest.fixture
def zeros():
    return Zeros()


@pytest.fixture
def halve():
    return Halve()
