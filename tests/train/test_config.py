import pytest

from restorekit.errors import ParameterError
from restorekit.train.config import load_config


def test_shipped_configs_load():
    full = load_config("configs/denoiser.yaml")
    tiny = load_config("configs/denoiser_tiny.yaml")
    assert full.model.sample_rate == full.data.sample_rate == 22050
    assert full.loss.impulse_loss_weight == 0.3
    assert full.model.backbone == tiny.model.backbone == "spectral"
    assert tiny.model.width == 16 and tiny.model.sample_rate == 8000


def test_overrides_replace_keys():
    config = load_config("configs/denoiser_tiny.yaml", train__epochs=5, loss__l1_weight=2.0)
    assert config.train.epochs == 5 and config.loss.l1_weight == 2.0


@pytest.mark.parametrize("bad, message", [
    ({"train": {"epoch": 3}}, "unknown keys"),
    ({"train": {"lr": 5.0}}, "train.lr"),
    ({"trian": {}}, "unknown sections"),
    ({"model": {"max_suppression": 2.0}}, "max_suppression"),
    ({"data": {"chunk_duration": 0.0}}, "chunk_duration"),
    ({"train": "fast"}, "mapping"),
])
def test_bad_configs_are_one_clear_error(bad, message):
    with pytest.raises(ParameterError, match=message):
        load_config(bad)


def test_missing_or_broken_files(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        load_config(tmp_path / "none.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("train: [1, 2\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_config(broken)
