import json

import pytest
import torch

from restorekit.errors import ModelError
from restorekit.models.checkpoint import BUNDLED, export_model, load_model, save_model, sha256_of
from restorekit.models.denoiser import DenoiserConfig, ImpulseAwareDenoiser


@pytest.fixture
def saved(tmp_path, each_small_config):
    torch.manual_seed(1)
    model = ImpulseAwareDenoiser(each_small_config)
    return model, save_model(model, tmp_path / "small", training={"epoch": 3})


def test_round_trip_gives_the_same_weights_and_config(saved):
    model, path = saved
    assert path.suffix == ".safetensors"
    assert path.with_suffix(".sha256").read_text().split()[0] == sha256_of(path)
    loaded = load_model(path)
    assert loaded.config == model.config and loaded.training_info == {"epoch": 3}
    for (k, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items(),
                              strict=True):
        assert torch.equal(a, b), k


def test_export_stores_float16_and_loads_as_float32_with_the_same_output(saved, tmp_path):
    from safetensors.torch import load_file

    model, path = saved
    exported = export_model(path, tmp_path / "shipped" / "model", command="test")
    stored = load_file(str(exported))
    assert {v.dtype for v in stored.values() if v.is_floating_point()} == {torch.float16}
    assert exported.stat().st_size < 0.6 * path.stat().st_size
    loaded = load_model(exported)
    assert loaded.training_info == {"epoch": 3, "command": "test"}
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    x = torch.randn(1, 1, 8192, generator=torch.Generator().manual_seed(0)) * 0.3
    with torch.no_grad():
        want, got = model.eval()(x).audio, loaded(x).audio
    assert ((got - want).norm() / want.norm()).item() < 1e-2


def test_lookup_by_name_in_the_models_folder(saved, monkeypatch):
    model, path = saved
    monkeypatch.setenv("RESTOREKIT_MODELS", str(path.parent))
    assert load_model("small").config == model.config
    assert load_model(path.parent).config == model.config  # a folder with one model


def test_tampered_weights_fail_the_checksum(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        load_model(path)


def test_missing_sidecars_and_mismatched_configs_are_clear(saved, tmp_path):
    _, path = saved
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["config"]["channels"] = [4, 8]
    meta["config"]["width"] = 8
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="do not fit"):
        load_model(path)
    path.with_suffix(".sha256").unlink()
    with pytest.raises(ModelError, match="sha256"):
        load_model(path)
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "absent.safetensors")


def test_a_configuration_from_before_the_backbone_choice_is_the_first_u_net(tmp_path):
    """The first bundled model's JSON has no "backbone" or "combine": it is a U-Net
    whose masks are averaged, and it loads as one."""
    torch.manual_seed(1)
    model = ImpulseAwareDenoiser(DenoiserConfig(sample_rate=8000, backbone="waveunet",
                                                combine="mean", channels=(8,), blocks=1,
                                                stem=8))
    path = save_model(model, tmp_path / "old")
    meta = json.loads(path.with_suffix(".json").read_text())
    for key in ("backbone", "combine", "n_fft", "hop", "width", "dilations", "level_frames",
                "refine"):
        del meta["config"][key]
    path.with_suffix(".json").write_text(json.dumps(meta))
    loaded = load_model(path)
    assert (loaded.config.backbone, loaded.config.combine) == ("waveunet", "mean")


def test_a_pickle_is_never_loaded(tmp_path, small_config):
    evil = tmp_path / "evil.safetensors"
    evil.write_bytes(b"\x80\x04\x95not safetensors at all")
    evil.with_suffix(".sha256").write_text(sha256_of(evil) + "  evil.safetensors\n")
    evil.with_suffix(".json").write_text(json.dumps({"kind": "impulse_aware_denoiser",
                                                     "config": small_config.to_dict()}))
    with pytest.raises(ModelError, match="do not fit"):
        load_model(evil)


@pytest.mark.skipif(not BUNDLED.exists(), reason="no bundled model in this checkout")
def test_bundled_model_loads_verified_and_is_small():
    assert BUNDLED.stat().st_size <= 4 * 2 ** 20
    model = load_model("bundled")
    assert model.config.sample_rate == 22050
    assert model.training_info["epoch"] >= 1


def test_saved_files_are_ordinary_files_not_private_ones(saved):
    import os
    import stat

    _, path = saved
    umask = os.umask(0)
    os.umask(umask)
    for file in (path, path.with_suffix(".json"), path.with_suffix(".sha256")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o666 & ~umask
