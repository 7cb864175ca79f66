"""restore_file: block-size invariance, the input untouched, atomic outputs."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.degrade.presets import PRESETS, simulate_vinyl_artifacts
from restorekit.errors import ParameterError
from restorekit.io import info, load, save
from restorekit.restore import Identity, preset, restore_file
from restorekit.restore.base import Restorer
from restorekit.synth import synthesize_music

RATE = 22050


def _damaged_file(path, *, seconds, subtype="FLOAT", seed=0):
    music = synthesize_music(sample_rate=RATE, duration=seconds,
                             rng=np.random.default_rng(seed))
    # a lead-in groove first, as on a disc: the quiet stretch the chain learns from
    music = Audio(np.concatenate([np.zeros((2, 2 * RATE)), music.samples], axis=1), RATE)
    damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(seed + 1),
                                       **PRESETS["default"])
    return save(damaged.audio, path, subtype=subtype)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_one_second_and_thirty_second_blocks_give_the_same_file(tmp_path):
    source = _damaged_file(tmp_path / "in.wav", seconds=31.0)
    short = restore_file(source, tmp_path / "short.wav", preset("balanced"),
                         block_seconds=1.0)
    long = restore_file(source, tmp_path / "long.wav", preset("balanced"),
                        block_seconds=30.0)
    a, b = load(short.output).samples, load(long.output).samples
    assert np.abs(a - b).max() < 1e-5
    assert short.impulses == long.impulses > 0
    # and the blocks did restore: a different file from the input
    assert np.abs(a - load(source).samples).max() > 0.01


def test_input_untouched_format_kept_and_difference_adds_up(tmp_path):
    source = _damaged_file(tmp_path / "in.flac", seconds=4.0, subtype="PCM_16")
    before = _sha(source)
    done = restore_file(source, tmp_path / "out.flac", preset("fast"),
                        difference=tmp_path / "removed.flac", block_seconds=1.5)
    assert _sha(source) == before
    meta = info(done.output)
    assert (meta.sample_rate, meta.subtype, meta.frames, meta.channels) == (
        RATE, "PCM_16", info(source).frames, 2)
    out, removed, original = (load(p).samples for p in (done.output, done.difference,
                                                         source))
    # input = output + removed, to the dither of the two 16-bit writes
    assert np.abs(out + removed - original).max() < 4 * 2.0 ** -15
    assert done.noise_segments and done.noise_segments[0][1] <= 2.0 + 1e-9


def test_untouched_pcm_is_written_back_bit_exactly(tmp_path):
    source = _damaged_file(tmp_path / "in.wav", seconds=2.0, subtype="PCM_16")
    done = restore_file(source, tmp_path / "out.wav", Identity(), fit=False)
    np.testing.assert_array_equal(load(done.output).samples, load(source).samples)


class _Breaks(Restorer):
    """Fails on its third window: a crash mid-file."""

    name = "breaks"

    def __init__(self):
        super().__init__()
        self.calls = 0

    def _process(self, audio, *, offset=0):
        self.calls += 1
        if self.calls == 3:
            raise ParameterError("broken on purpose")
        return audio.samples.astype(np.float64), None, {}


def test_a_failure_leaves_no_output_and_no_partial_file(tmp_path):
    source = _damaged_file(tmp_path / "in.wav", seconds=4.0)
    with pytest.raises(ParameterError, match="on purpose"):
        restore_file(source, tmp_path / "out.wav", _Breaks(), block_seconds=1.0, fit=False,
                     difference=tmp_path / "removed.wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.wav"]


def test_outputs_are_checked_before_any_work(tmp_path):
    source = _damaged_file(tmp_path / "in.wav", seconds=2.0)
    with pytest.raises(ParameterError, match="input file"):
        restore_file(source, source, Identity())
    (tmp_path / "out.wav").write_bytes(b"keep me")
    with pytest.raises(ParameterError, match="already exists"):
        restore_file(source, tmp_path / "out.wav", Identity())
    assert (tmp_path / "out.wav").read_bytes() == b"keep me"
    with pytest.raises(ParameterError, match="different names"):
        restore_file(source, tmp_path / "a.wav", Identity(), difference=tmp_path / "a.wav")
    with pytest.raises(ParameterError, match="does not exist"):
        restore_file(source, tmp_path / "no" / "a.wav", Identity())
