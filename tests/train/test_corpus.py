import json
import shutil

import numpy as np
import pytest
import soundfile as sf

from restorekit.errors import ParameterError
from restorekit.train.corpus import ENSEMBLES, PIECES, find_soundfont, render_corpus

needs_fluidsynth = pytest.mark.skipif(shutil.which("fluidsynth") is None,
                                      reason="FluidSynth is not installed")


def test_every_ensemble_trains_and_is_held_out():
    train = {p.ensemble for p in PIECES if not p.held_out}
    held = {p.ensemble for p in PIECES if p.held_out}
    assert train == held == set(ENSEMBLES)
    assert any(p.drums for p in PIECES if not p.held_out)
    assert len({p.name for p in PIECES}) == len(PIECES)
    assert not {p.score for p in PIECES if p.held_out} & {p.score for p in PIECES
                                                         if not p.held_out}


def test_missing_soundfont_is_one_clear_error(tmp_path):
    with pytest.raises(ParameterError, match="soundfont"):
        find_soundfont(tmp_path / "none.sf2")


@needs_fluidsynth
@pytest.mark.slow
def test_render_is_deterministic_cached_and_split(tmp_path):
    pieces = [PIECES[0], next(p for p in PIECES if p.held_out and p.drums)]
    first = render_corpus(tmp_path / "a", sample_rate=16000, seconds=4, pieces=pieces)
    second = render_corpus(tmp_path / "b", sample_rate=16000, seconds=4, pieces=pieces)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        x, rate = sf.read(a)
        y, _ = sf.read(b)
        assert rate == 16000 and x.ndim == 1
        assert np.array_equal(x, y)
        assert len(x) / rate > 3.5  # the notes, and their release as FluidSynth plays it
        assert np.sqrt(np.mean(x ** 2)) > 0.01  # music, not silence
    assert first[1].parent.name == "heldout"
    stamp = first[0].stat().st_mtime_ns
    render_corpus(tmp_path / "a", sample_rate=16000, seconds=4, pieces=pieces)
    assert first[0].stat().st_mtime_ns == stamp  # cached, not rendered again
    manifest = json.loads((tmp_path / "a" / "corpus.json").read_text())
    assert [p["split"] for p in manifest["pieces"]] == ["train", "heldout"]


def test_absurd_render_parameters_are_refused(tmp_path):
    if shutil.which("fluidsynth") is None:
        pytest.skip("FluidSynth is not installed")
    with pytest.raises(ParameterError, match="sample_rate"):
        render_corpus(tmp_path, sample_rate=10)
