"""The stage-by-stage pipe gives what restoring the whole signal at once gives."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.restore import Chain, Declick, Dehiss, Derumble, Identity
from restorekit.restore.pipeline import run_stage, stages_of


def test_chains_are_flattened_unless_they_blend():
    a, b, c = Derumble(), Declick(), Dehiss()
    assert stages_of(Chain([a, Chain([b, c])])) == [a, b, c]
    blended = Chain([b, c], mix=0.5)
    assert stages_of(Chain([a, blended])) == [a, blended]
    assert stages_of(a) == [a]


def _chunks(x, size):
    for start in range(0, x.shape[1], size):
        yield start, x[:, start: start + size]


@pytest.mark.parametrize("size, block", [(3000, 8000), (9000, 2500), (50000, 50000)])
def test_piped_stages_equal_the_whole(stereo_music, rng, size, block):
    x = (stereo_music.samples + 0.01 * rng.normal(size=stereo_music.samples.shape)
         ).astype(np.float32)
    x[:, 30000:30006] += 0.5  # a click
    from restorekit.audio import Audio

    audio = Audio(x, 44100)
    chain = Chain([Derumble(), Declick(), Dehiss()]).fit(Audio(x[:, :20000], 44100))
    whole = chain.restore(audio).audio.samples
    stream, counts = _chunks(x, size), []
    for stage in stages_of(chain):
        stream = run_stage(stage, stream, sample_rate=44100, block=block, impulses=counts)
    pieces = list(stream)
    starts = [s for s, _ in pieces]
    assert starts == sorted(starts) and starts[0] == 0
    piped = np.concatenate([p for _, p in pieces], axis=1)
    assert piped.shape == x.shape
    assert np.abs(piped - whole).max() < 1e-5
    assert sum(counts) >= 1


def test_an_empty_stream_gives_nothing():
    assert list(run_stage(Identity(), iter([]), sample_rate=8000, block=100,
                          impulses=[])) == []
