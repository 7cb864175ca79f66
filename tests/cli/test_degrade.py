import hashlib

import numpy as np
import pytest

from restorekit.cli import main
from restorekit.degrade import load_truth
from restorekit.io import info, load, save
from restorekit.synth import synthesize_music


@pytest.fixture
def clean_file(tmp_path):
    audio = synthesize_music(sample_rate=22050, duration=3.0, rng=np.random.default_rng(0))
    return save(audio, tmp_path / "clean.flac", subtype="PCM_16")


def test_degrade_writes_audio_and_truth_and_keeps_the_format(clean_file, tmp_path, capsys):
    before = hashlib.sha256(clean_file.read_bytes()).hexdigest()
    out, truth_path = tmp_path / "damaged.flac", tmp_path / "damaged_truth.json"
    assert main(["degrade", str(clean_file), str(out), "--preset", "heavy", "--seed", "7",
                 "--truth", str(truth_path)]) == 0
    assert "clicks" in capsys.readouterr().out
    assert hashlib.sha256(clean_file.read_bytes()).hexdigest() == before
    meta = info(out)
    assert (meta.sample_rate, meta.subtype, meta.frames) == (22050, "PCM_16", 3 * 22050)
    truth = load_truth(truth_path)
    assert truth.params["preset"] == "heavy" and truth.params["seed"] == 7
    clicks = truth.find("clicks")[0].events
    assert len(clicks["start"]) > 30  # 25 per second for 3 s, Poisson
    # the written file is the clean file, scaled by the truth's gain, plus what was added
    added = sum(t.added.astype(np.float64) for t in truth.walk() if t.added is not None)
    expected = load(clean_file).samples * truth.params["gain"] + added
    assert np.abs(load(out).samples - expected).max() < 2 * 2.0**-15  # 16-bit + dither


def test_same_seed_same_file(clean_file, tmp_path):
    for name in ("a.wav", "b.wav"):
        assert main(["degrade", str(clean_file), str(tmp_path / name), "--seed", "3"]) == 0
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_bad_requests_are_one_line_errors(clean_file, tmp_path, capsys):
    assert main(["degrade", str(clean_file), str(tmp_path / "x.wav"), "--preset", "ruined"]) == 2
    assert "unknown preset 'ruined'" in capsys.readouterr().err
    assert main(["degrade", str(clean_file), str(clean_file), "--overwrite"]) == 2
    assert "input file" in capsys.readouterr().err
    assert main(["degrade", str(clean_file), str(tmp_path / "y.wav"), "--truth",
                 str(tmp_path / "t.txt")]) == 2
    assert ".json" in capsys.readouterr().err
