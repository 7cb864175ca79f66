"""Model files: safetensors weights, a JSON configuration and a SHA-256, never pickle.

A saved model is three files side by side::

    NAME.safetensors   the weights (safetensors: a header and raw tensors, no code)
    NAME.json          {"kind": ..., "config": {...}, "training": {...}}
    NAME.sha256        the SHA-256 of NAME.safetensors

:func:`load_model` checks the hash before reading a byte of the weights, builds the
model from the JSON, and loads the weights strictly (a missing or extra tensor is an
error, not a warning), into a float32 model whatever precision they were stored in.
Where models are looked up: ``"bundled"`` is the one shipped in
:mod:`restorekit.models.bundled`; a path names a file or its folder; any other name is
looked up in the folder ``$RESTOREKIT_MODELS`` (nothing is ever downloaded).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch

from restorekit.errors import ModelError
from restorekit.io.write import atomic_path
from restorekit.models.denoiser import DenoiserConfig, ImpulseAwareDenoiser

__all__ = ["save_model", "load_model", "resolve_model", "sha256_of", "export_model",
           "BUNDLED", "MODELS_ENV"]

BUNDLED = Path(__file__).resolve().parent / "bundled" / "denoiser.safetensors"
MODELS_ENV = "RESTOREKIT_MODELS"
KINDS = {ImpulseAwareDenoiser.kind: (ImpulseAwareDenoiser, DenoiserConfig)}
#: what a saved configuration that predates a key meant by leaving it out
LEGACY = {ImpulseAwareDenoiser.kind: {"backbone": "waveunet", "combine": "mean"}}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: ImpulseAwareDenoiser, path: str | Path, *,
               training: dict[str, Any] | None = None,
               weights_dtype: torch.dtype | None = None) -> Path:
    """Write ``model`` as ``path`` (.safetensors) with its .json and .sha256 beside it.

    ``weights_dtype`` (e.g. ``torch.float16``) stores the floating-point tensors in that
    precision; checkpoints a run resumes from keep their own (None).
    """
    from safetensors.torch import save_file

    path = Path(path).with_suffix(".safetensors")
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: _stored(v.detach().cpu(), weights_dtype).contiguous()
             for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(state, str(tmp))
    meta = {"kind": model.kind, "config": model.config.to_dict(), "training": training or {}}
    with atomic_path(path.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps(meta, indent=1))
    with atomic_path(path.with_suffix(".sha256")) as tmp:
        tmp.write_text(f"{sha256_of(path)}  {path.name}\n")
    return path


def _stored(tensor: torch.Tensor, dtype: torch.dtype | None) -> torch.Tensor:
    return tensor.to(dtype) if dtype is not None and tensor.is_floating_point() else tensor


def resolve_model(spec: str | Path) -> Path:
    """The .safetensors file that ``spec`` ("bundled", a path, or a name) stands for."""
    if str(spec) == "bundled":
        path = BUNDLED
    else:
        path = Path(spec)
        if not path.exists() and not path.is_absolute() and os.sep not in str(spec):
            root = os.environ.get(MODELS_ENV)
            if root:
                path = Path(root) / path
        if path.is_dir():
            found = sorted(path.glob("*.safetensors"))
            if len(found) != 1:
                raise ModelError(f"the folder {path} holds {len(found)} .safetensors files; "
                                 "name the one to use.")
            path = found[0]
        elif path.suffix != ".safetensors":
            path = path.with_suffix(".safetensors")
    if not path.is_file():
        where = f" (looked in ${MODELS_ENV})" if os.environ.get(MODELS_ENV) else ""
        raise ModelError(f"no model file {path}{where}; give 'bundled', a .safetensors path "
                         f"or a name in the folder set by ${MODELS_ENV}.")
    return path


def load_model(spec: str | Path = "bundled", *, device: str = "cpu") -> ImpulseAwareDenoiser:
    """Load a saved model, its checksum verified; see the module notes for ``spec``."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = resolve_model(spec)
    meta_path, sum_path = path.with_suffix(".json"), path.with_suffix(".sha256")
    for needed in (meta_path, sum_path):
        if not needed.is_file():
            raise ModelError(f"the model {path} has no {needed.name} beside it; a model is "
                             ".safetensors + .json + .sha256.")
    expected = (sum_path.read_text().split() or [""])[0].lower()
    if sha256_of(path) != expected:
        raise ModelError(f"the model {path} does not match its checksum in {sum_path.name}: "
                         "the file is damaged or was changed; copy it again.")
    try:
        meta = json.loads(meta_path.read_text())
        model_class, config_class = KINDS[meta["kind"]]
        config = config_class.from_dict({**LEGACY.get(meta["kind"], {}), **meta["config"]})
    except (ValueError, KeyError, TypeError) as error:
        raise ModelError(f"the model configuration {meta_path} is not valid: {error}.") from None
    model = model_class(config)
    try:
        state = load_file(str(path), device=device)
        model.load_state_dict(state, strict=True)
    except (SafetensorError, RuntimeError) as error:
        first = str(error).splitlines()[0]
        raise ModelError(f"the weights in {path} do not fit its configuration: {first}.") \
            from None
    model.training_info = meta.get("training", {})
    return model.to(device).eval()


def export_model(source: str | Path, destination: str | Path, **notes: Any) -> Path:
    """Copy a saved model (checksum verified) to ``destination``, adding ``notes`` to its
    training record: how ``restorekit train --bundle`` makes the bundled model.

    The copy's weights are stored as float16, which halves the file; they are computed
    with in float32 after loading, and float16's 11-bit mantissa moves the denoiser's
    output by far less than the benchmark's resolution (see tests/models/test_checkpoint.py).
    """
    model = load_model(source)
    return save_model(model, destination, training={**model.training_info, **notes},
                      weights_dtype=torch.float16)
