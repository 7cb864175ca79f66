"""The README's quick starts run as written."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from restorekit.io import save
from restorekit.synth import synthesize_music

README = Path(__file__).resolve().parents[1] / "README.md"


def _example(folder: Path) -> None:
    (folder / "test_audio" / "demo").mkdir(parents=True)
    audio = synthesize_music(sample_rate=44100, duration=3.0, rng=np.random.default_rng(0))
    save(audio, folder / "test_audio" / "demo" / "example.flac")


def test_python_quick_start_runs(tmp_path, monkeypatch):
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL).group(1)
    assert len(code.strip().splitlines()) <= 12
    _example(tmp_path)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "first_two_seconds.wav").is_file()


def test_cli_quick_start_runs(tmp_path):
    block = re.search(r"```bash\n(restorekit .*?)```", README.read_text(), re.DOTALL).group(1)
    _example(tmp_path)
    (tmp_path / "transfer.flac").write_bytes(
        (tmp_path / "test_audio" / "demo" / "example.flac").read_bytes())
    (tmp_path / "broken.wav").write_bytes(b"RIFF....WAVEfmt ")
    # the installed `restorekit` script sits beside this interpreter; bash expands the globs
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    for line in block.strip().splitlines():
        result = subprocess.run(["bash", "-c", line.split("#")[0]], cwd=tmp_path, env=env,
                                capture_output=True, text=True)
        expected = 2 if "broken.wav" in line else 0
        assert result.returncode == expected, (line, result.stderr)
