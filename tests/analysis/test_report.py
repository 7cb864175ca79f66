import json

import numpy as np
import pytest

from restorekit.analysis import ImpulseProfile, analyze_file
from restorekit.cli import main
from restorekit.degrade import PRESETS, simulate_vinyl_artifacts
from restorekit.errors import ParameterError
from restorekit.io import save
from restorekit.synth import synthesize_music


@pytest.fixture(scope="module")
def damaged_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("transfers")
    music = synthesize_music(sample_rate=22050, duration=4.0, rng=np.random.default_rng(2))
    damaged = simulate_vinyl_artifacts(music, rng=np.random.default_rng(3), **PRESETS["heavy"])
    (folder / "jazz").mkdir()
    return save(damaged.audio, folder / "jazz" / "take1.flac"), damaged


def test_analyze_file_writes_profile_and_picture(damaged_file, tmp_path):
    path, damaged = damaged_file
    result = analyze_file(path, out_dir=tmp_path, block_seconds=1.5)
    assert result.figure == tmp_path / "take1_impulse_analysis.png"
    assert result.figure.stat().st_size > 20_000
    profile = ImpulseProfile.load(tmp_path / "take1_impulse_profile.json")
    assert profile.count == result.profile.count > 0
    truth_rate = len(damaged.truth.find("clicks")[0].events["start"]) / 4.0
    assert 0.3 * truth_rate < profile.rate_per_s < 3 * truth_rate
    text = "\n".join(result.lines())
    assert "Impulse Statistics:" in text and "Frequency Analysis:" in text
    # blocks do not change what is found (events only counted in their block's core)
    whole = analyze_file(path, out_dir=tmp_path / "whole", block_seconds=30, plot=False,
                         noise=False)
    assert abs(whole.profile.count - profile.count) <= 2


def test_read_only_folder_needs_out_dir(damaged_file, monkeypatch):
    import restorekit.analysis.report as report

    path, _ = damaged_file
    # the tests may run as root, who can write anywhere: make the folder read-only
    monkeypatch.setattr(report.os, "access", lambda p, mode: p != path.parent)
    with pytest.raises(ParameterError, match="--out-dir"):
        analyze_file(path, plot=False, noise=False)


def test_cli_analyze_folder_writes_a_genre_table(damaged_file, tmp_path, capsys):
    path, _ = damaged_file
    root = path.parent.parent
    assert main(["analyze", str(root), "--out-dir", str(tmp_path), "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "Impulses per second:" in out and f"{root.name}_impulse_profiles.md" in out
    table = (tmp_path / f"{root.name}_impulse_profiles.md").read_text()
    assert "jazz/take1.flac" in table and "mean of jazz" in table
    record = json.loads((tmp_path / "take1_impulse_profile.json").read_text())
    assert record["count"] > 0


def test_cli_analyze_reports_bad_files(tmp_path, capsys):
    (tmp_path / "broken.wav").write_bytes(b"not audio at all" * 10)
    assert main(["analyze", str(tmp_path / "broken.wav")]) == 2
    assert "broken.wav" in capsys.readouterr().err


def test_the_impulses_module_runs_as_a_script(damaged_file, tmp_path):
    """``python -m restorekit.analysis.impulses FILE``: the block, quietly, exit 0."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m",
                             "restorekit.analysis.impulses", str(damaged_file[0]),
                             "--out-dir", str(tmp_path), "--no-plot"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "Impulse Statistics:" in result.stdout and "Impulses per second" in result.stdout
    assert result.stderr == ""
