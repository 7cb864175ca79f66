import numpy as np

from restorekit.cli import main
from restorekit.io import info, load


def test_synth_writes_a_reproducible_example(tmp_path, capsys):
    first, second = tmp_path / "a.flac", tmp_path / "b.flac"
    assert main(["synth", str(first), "--seconds", "1.5", "--seed", "3"]) == 0
    assert main(["synth", str(second), "--seconds", "1.5", "--seed", "3"]) == 0
    assert "wrote" in capsys.readouterr().out
    meta = info(first)
    assert (meta.sample_rate, meta.channels, meta.subtype) == (44100, 2, "PCM_24")
    np.testing.assert_array_equal(load(first).samples, load(second).samples)
    assert main(["synth", str(first)]) == 2  # exists, no --overwrite
