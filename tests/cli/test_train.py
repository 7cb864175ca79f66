import numpy as np
import pytest
import torch

from restorekit.audio import Audio
from restorekit.cli import main
from restorekit.io import save
from restorekit.models.checkpoint import save_model
from restorekit.models.denoiser import ImpulseAwareDenoiser


def test_train_command_runs_the_tiny_config(tmp_path, capsys):
    code = main(["train", "--config", "configs/denoiser_tiny.yaml", "--out-dir",
                 str(tmp_path / "run"), "--set", f"data.corpus_dir={tmp_path / 'corpus'}",
                 "--bundle", str(tmp_path / "bundled" / "tiny"), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "epoch 2:" in out and (tmp_path / "run" / "best.safetensors").is_file()
    from restorekit.models.checkpoint import load_model

    bundled = load_model(tmp_path / "bundled" / "tiny.safetensors")
    assert bundled.training_info["wall_seconds"] >= 0
    assert "--config configs/denoiser_tiny.yaml" in bundled.training_info["command"]
    code = main(["train", "--config", "configs/denoiser_tiny.yaml", "--out-dir",
                 str(tmp_path / "run"), "--set", f"data.corpus_dir={tmp_path / 'corpus'}",
                 "--set", "train.epochs=3", "--resume", "--no-progress"])
    assert code == 0 and "epoch 3:" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--config", "nowhere.yaml"], "does not exist"),
    (["--config", "configs/denoiser_tiny.yaml", "--set", "train.lr"], "section.key=value"),
    (["--config", "configs/denoiser_tiny.yaml", "--set", "train.lr=-1"], "train.lr"),
])
def test_train_errors_are_one_line(args, message, capsys):
    assert main(["train", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_restore_with_a_model(tmp_path, capsys, rng, small_config):
    torch.manual_seed(0)
    model = save_model(ImpulseAwareDenoiser(small_config),
                       tmp_path / "m.safetensors")
    source = tmp_path / "in.wav"
    save(Audio((0.1 * rng.standard_normal((2, 8000))).astype(np.float32), 8000), source)
    assert main(["restore", str(source), str(tmp_path / "out.wav"), "--model", str(model),
                 "--no-progress"]) == 0
    assert "neural" in capsys.readouterr().out
    assert main(["restore", str(source), str(tmp_path / "o2.wav"), "--model",
                 str(tmp_path / "none.safetensors")]) == 2
    assert "no model file" in capsys.readouterr().err
