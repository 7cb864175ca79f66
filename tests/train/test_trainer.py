import csv
import json

import pytest
import torch

from restorekit.errors import ParameterError
from restorekit.models.checkpoint import load_model
from restorekit.train.trainer import Trainer


def _curve(path):
    with open(path) as f:
        return [(r["epoch"], r["step"], r["train_loss"], r["val_loss"], r["val_si_sdr"])
                for r in csv.DictReader(f)]


def test_training_writes_metrics_curves_and_checkpoints(tiny_config, tmp_path):
    trainer = Trainer(tiny_config, out_dir=tmp_path / "run")
    rows = trainer.fit()
    assert [r["epoch"] for r in rows] == [1, 2]
    for name in ("metrics.csv", "curves.png", "best.safetensors", "best.json", "best.sha256",
                 "last.safetensors", "last_state.safetensors", "last_state.json"):
        assert (tmp_path / "run" / name).is_file(), name
    header = (tmp_path / "run" / "metrics.csv").read_text().splitlines()[0]
    for column in ("val_si_sdr", "val_click_f1", "val_transient_preservation", "lr"):
        assert column in header
    model = load_model(tmp_path / "run" / "last.safetensors")
    for a, b in zip(model.state_dict().values(), trainer.model.state_dict().values(),
                    strict=True):
        assert torch.equal(a, b)
    meta = json.loads((tmp_path / "run" / "best.json").read_text())
    assert meta["training"]["config"]["train"]["seed"] == 0


def test_validation_improves_on_a_few_more_epochs(tiny_config, tmp_path):
    """Judged on the fixed validation items: each epoch's training items are new draws
    at new severities, so 16 of them give a training loss too noisy to compare."""
    from restorekit.train.config import load_config

    config = load_config(tiny_config.to_dict(), train__epochs=6)
    rows = Trainer(config, out_dir=tmp_path / "run").fit()
    assert rows[-1]["val_loss"] < rows[0]["val_loss"]
    assert rows[-1]["val_si_sdr"] > rows[0]["val_si_sdr"] + 0.1


def test_resume_replays_the_same_curve_bit_for_bit(tiny_config, tmp_path):
    from restorekit.train.config import load_config

    config = load_config(tiny_config.to_dict(), train__epochs=4)
    Trainer(config, out_dir=tmp_path / "straight").fit()
    Trainer(config, out_dir=tmp_path / "stopped").fit(epochs=2)
    Trainer(config, out_dir=tmp_path / "stopped").fit(resume=True)
    straight = _curve(tmp_path / "straight" / "metrics.csv")
    assert len(straight) == 4
    assert _curve(tmp_path / "stopped" / "metrics.csv") == straight
    a = load_model(tmp_path / "straight" / "last.safetensors").state_dict()
    b = load_model(tmp_path / "stopped" / "last.safetensors").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_an_existing_run_is_not_overwritten(tiny_config, tmp_path):
    Trainer(tiny_config, out_dir=tmp_path / "run").fit(epochs=1)
    with pytest.raises(ParameterError, match="already holds a run"):
        Trainer(tiny_config, out_dir=tmp_path / "run").fit()


def test_resume_needs_a_run_with_the_same_model(tiny_config, tmp_path):
    from restorekit.train.config import load_config

    with pytest.raises(ParameterError, match="no run to resume"):
        Trainer(tiny_config, out_dir=tmp_path / "empty").fit(resume=True)
    Trainer(tiny_config, out_dir=tmp_path / "run").fit(epochs=1)
    other = load_config(tiny_config.to_dict(), model__channels=[4, 8])
    with pytest.raises(ParameterError, match="another model configuration"):
        Trainer(other, out_dir=tmp_path / "run").fit(resume=True)


def test_schedule_warms_up_then_decays(tiny_config, tmp_path):
    trainer = Trainer(tiny_config, out_dir=tmp_path / "run")
    lr = [trainer.lr_at(s) for s in range(trainer.total_steps)]
    peak = tiny_config.train.lr
    assert lr[0] < lr[1] <= peak
    assert max(lr) == pytest.approx(peak)
    assert lr[-1] < peak / 2


def test_fine_tuning_starts_from_a_saved_model(tiny_config, tmp_path):
    from restorekit.models.checkpoint import save_model
    from restorekit.train.config import load_config

    torch.manual_seed(123)
    first = Trainer(tiny_config, out_dir=tmp_path / "a")
    for p in first.model.parameters():
        p.data.normal_()
    path = save_model(first.model, tmp_path / "start")
    tuned = Trainer(load_config(tiny_config.to_dict(), train__init=str(path)),
                    out_dir=tmp_path / "b")
    for a, b in zip(first.model.state_dict().values(), tuned.model.state_dict().values(),
                    strict=True):
        assert torch.equal(a, b)
    other = load_config(tiny_config.to_dict(), train__init=str(path), model__channels=[4, 8])
    with pytest.raises(ParameterError, match="another model configuration"):
        Trainer(other, out_dir=tmp_path / "c")
