import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from restorekit.cli import main
from restorekit.errors import ParameterError

RATE = 44100


@pytest.fixture
def sine_file(tmp_path):
    t = np.arange(RATE) / RATE
    x = 0.5 * np.sin(2 * np.pi * 1000 * t)
    path = tmp_path / "sine.wav"
    sf.write(path, np.stack([x, x], axis=1), RATE, subtype="PCM_24")
    return path


def test_info_prints_every_fact(sine_file, capsys):
    assert main(["info", str(sine_file)]) == 0
    out = capsys.readouterr().out
    for label in ("format:", "sample rate:", "channels:", "duration:", "sample peak:",
                  "true peak:", "loudness:", "DC offset:", "clipped:", "non-finite:"):
        assert label in out
    assert "WAV / PCM_24, 24-bit" in out and "44100 Hz" in out and "1.000 s" in out
    assert "-6.02 dBFS" in out  # 0.5 peak
    # a 0.5 (-6.02 dBFS) 1 kHz sine on both channels reads -6.02 LUFS (BS.1770)
    assert "-6.0" in out.split("loudness:")[1].split("\n")[0]


def test_info_json(sine_file, capsys):
    assert main(["info", "--json", str(sine_file)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["channels"] == 2 and record["nonfinite"] == 0 and record["clipped"] == 0
    assert record["sample_peak"] == pytest.approx(0.5, abs=1e-5)  # sampled, not exact
    assert record["loudness_lufs"] == pytest.approx(-6.02, abs=0.1)


def test_info_counts_nan_and_clipped_samples(tmp_path, capsys):
    x = np.zeros((RATE, 1), dtype=np.float32)
    x[10:13] = np.nan
    x[100:105] = 1.0
    path = tmp_path / "bad.wav"
    sf.write(path, x, RATE, subtype="FLOAT")
    assert main(["info", "--json", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["nonfinite"] == 3 and record["clipped"] == 5


def test_errors_are_one_line_with_exit_2(tmp_path, sine_file, capsys):
    missing = tmp_path / "missing.wav"
    assert main(["info", str(sine_file), str(missing)]) == 2
    captured = capsys.readouterr()
    assert "sample rate:" in captured.out  # the good file is still described
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0] and "does not exist" in lines[0]


def test_debug_shows_the_traceback(tmp_path, capsys):
    args = ["synth", str(tmp_path / "x.wav"), "--sample-rate", "10"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("restorekit: error: sample_rate") and "Traceback" not in err
    with pytest.raises(ParameterError, match="sample_rate"):
        main(["--debug", *args])


def test_command_line_process_has_no_traceback(tmp_path):
    """The installed entry point, as a user runs it."""
    result = subprocess.run([sys.executable, "-m", "restorekit", "info",
                             str(tmp_path / "nope.wav")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "nope.wav" in result.stderr


def test_unknown_command_is_a_usage_error(capsys):
    assert main(["frobnicate"]) == 2
    assert "No such command" in capsys.readouterr().err


@pytest.mark.shared_data
def test_real_mp3_transfers_print_no_decoder_chatter(shared_data):
    path = sorted((shared_data / "real78").glob("*.mp3"))[0]
    result = subprocess.run([sys.executable, "-m", "restorekit", "info", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "MPEG_LAYER_III" in result.stdout
    assert result.stderr == ""
