"""``restorekit restore``: a preset chain over a file, one-line errors."""

from __future__ import annotations

import hashlib

import numpy as np

from restorekit.cli import main
from restorekit.degrade.presets import PRESETS, simulate_vinyl_artifacts
from restorekit.io import info, save
from restorekit.synth import synthesize_music


def test_restore_writes_output_and_difference(tmp_path, capsys):
    music = synthesize_music(sample_rate=22050, duration=3.0, rng=np.random.default_rng(0))
    damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(1),
                                       **PRESETS["heavy"])
    source = save(damaged.audio, tmp_path / "in.flac", subtype="PCM_24")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out, removed = tmp_path / "out.flac", tmp_path / "removed.wav"
    assert main(["restore", str(source), str(out), "--preset", "fast", "--mix", "0.9",
                 "--difference", str(removed)]) == 0
    said = capsys.readouterr().out
    assert "impulses repaired" in said and "mix 0.9" in said
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert info(out).subtype == "PCM_24" and info(removed).frames == info(source).frames


def test_bad_input_and_bad_options_get_one_line(tmp_path, capsys):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    assert main(["restore", str(broken), str(tmp_path / "o.wav")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.wav" in err and "Traceback" not in err
    music = synthesize_music(sample_rate=22050, duration=1.0, rng=np.random.default_rng(0))
    source = save(music, tmp_path / "in.wav")
    for args in (["--preset", "loud"], ["--mix", "2"], ["--block-seconds", "-1"]):
        assert main(["restore", str(source), str(tmp_path / "o.wav"), *args]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.wav").exists()
