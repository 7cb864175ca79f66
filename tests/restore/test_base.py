"""The restorer protocol: Restoration, mix, Identity and Chain."""

from __future__ import annotations

import numpy as np
import pytest

from restorekit.audio import Audio
from restorekit.errors import ParameterError
from restorekit.restore.base import Chain, Identity, Restorer


class Halve(Restorer):
    """A toy restorer: halves the signal, and remembers the noise level it was fitted on."""

    name = "halve"

    def __init__(self, **kw):
        super().__init__(**kw)
        self.fitted_rms = None

    def fit(self, noise):
        self.fitted_rms = float(np.sqrt(np.mean(noise.samples.astype(float) ** 2)))
        return self

    def _process(self, audio, *, offset=0):
        return audio.samples * 0.5, None, {"halved": True}

    def grid(self, sample_rate):
        return 6

    def context(self, sample_rate):
        return 10


def test_identity_changes_nothing(stereo_music):
    done = Identity().restore(stereo_music)
    np.testing.assert_array_equal(done.audio.samples, stereo_music.samples)
    assert not done.removed.samples.any()
    assert len(done.events) == 0 and done.events.channels == 2


def test_removed_is_input_minus_output(stereo_music):
    done = Halve().restore(stereo_music)
    np.testing.assert_allclose(done.audio.samples + done.removed.samples,
                               stereo_music.samples, atol=1e-7)
    assert done.report == {"mix": 1.0, "halved": True}


@pytest.mark.parametrize("mix", [0.0, 0.3, 1.0])
def test_mix_blends_dry_and_wet(stereo_music, mix):
    done = Halve(mix=mix).restore(stereo_music)
    expected = stereo_music.samples * (1 - 0.5 * mix)
    np.testing.assert_allclose(done.audio.samples, expected, atol=1e-7)


@pytest.mark.parametrize("mix", [-0.1, 1.5, float("nan"), "1"])
def test_mix_out_of_range_is_refused(mix):
    with pytest.raises(ParameterError, match="mix"):
        Halve(mix=mix)


def test_restore_refuses_arrays():
    with pytest.raises(ParameterError, match="needs an Audio"):
        Identity().restore(np.zeros(100))


def test_chain_is_a_restorer_that_runs_in_order(stereo_music):
    chain = Chain([Halve(), Halve(mix=0.5)])
    done = chain.restore(stereo_music)
    np.testing.assert_allclose(done.audio.samples, stereo_music.samples * 0.5 * 0.75,
                               atol=1e-7)
    assert set(done.report) == {"mix", "halve", "halve_1"}
    # a chain lets each stage keep its own grid: each may leave grid - 1 frames
    assert chain.grid(44100) == 1 and chain.context(44100) == 2 * (10 + 6 - 1)


def test_chain_fits_each_stage_on_what_the_earlier_left(rng):
    noise = Audio(rng.normal(0, 0.1, 20000), 8000)
    first, second = Halve(), Halve()
    Chain([first, second]).fit(noise)
    assert second.fitted_rms == pytest.approx(first.fitted_rms / 2, rel=1e-6)


def test_chain_holds_only_restorers():
    with pytest.raises(ParameterError, match="restorers"):
        Chain([Identity(), "declick"])


class Frames(Restorer):
    """Marks where its frames (of 6) start: what a framed restorer does on its grid."""

    name = "frames"

    def grid(self, sample_rate):
        return 6

    def _process(self, audio, *, offset=0):
        out = np.zeros(audio.samples.shape)
        out[:, ::6] = 1.0
        return out, None, {"offset": offset}


@pytest.mark.parametrize("offset", [0, 1, 5, 6, 13])
def test_frames_fall_on_the_recording_s_grid(offset):
    done = Frames().restore(Audio(np.full(40, 0.5), 8000), offset=offset)
    samples = done.audio.samples[0]
    skip = -offset % 6
    np.testing.assert_array_equal(samples[:skip], 0.5)  # left untouched
    marks = np.flatnonzero(samples == 1.0)
    assert ((marks + offset) % 6 == 0).all() and marks[0] == skip
    assert done.report["offset"] == offset + skip
