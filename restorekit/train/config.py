"""Training configuration: one YAML file, read into plain dataclasses and checked.

The file has four sections, each optional (defaults below)::

    data:  {folders: [...], optional_folders: [...], corpus: true, corpus_dir: ...,
            synthetic: 0, sample_rate: 22050, chunk_duration: 1.0,
            items_per_epoch: 512, validation_items: 48}

``synthetic: N`` adds N pieces of the project's own synthesised music and voice
(:mod:`restorekit.synth`), which need nothing installed: the tiny test config uses them.
    model: {backbone: spectral, width: 256, max_suppression: 0.9, ...}  # DenoiserConfig
    loss:  {impulse_loss_weight: 0.3, l1_weight: 2.0}
    train: {epochs: 30, batch_size: 16, lr: 0.002, weight_decay: 0.0001, warmup_steps: 100,
            grad_clip: 1.0, seed: 0, workers: 1, threads: null, amp: true,
            out_dir: runs/denoiser, init: null}

``data.gain_db`` is the range of the clean chunks' peak level and ``data.clean_fraction``
the share of undamaged items; ``train.init`` names a saved model (``.safetensors``) whose
weights start the run, for fine-tuning (its model configuration must match).

Relative paths are read from the folder the command is run in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from restorekit.errors import ParameterError
from restorekit.models.denoiser import DenoiserConfig

__all__ = ["DataConfig", "LossConfig", "OptimConfig", "TrainConfig", "load_config"]


@dataclass(frozen=True)
class DataConfig:
    folders: tuple[str, ...] = ()
    optional_folders: tuple[str, ...] = ("../shared/data/clean",)
    corpus: bool = True
    corpus_dir: str | None = None
    corpus_seconds: float = 45.0
    synthetic: int = 0
    sample_rate: int = 22050
    chunk_duration: float = 1.0
    items_per_epoch: int = 512
    validation_items: int = 48
    gain_db: tuple[float, float] = (-18.0, -3.0)
    clean_fraction: float = 0.0


@dataclass(frozen=True)
class LossConfig:
    impulse_loss_weight: float = 0.3
    l1_weight: float = 2.0


@dataclass(frozen=True)
class OptimConfig:
    epochs: int = 30
    batch_size: int = 16
    lr: float = 2e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 100
    grad_clip: float = 1.0
    seed: int = 0
    workers: int = 1
    threads: int | None = None
    amp: bool = True
    out_dir: str = "runs/denoiser"
    init: str | None = None


@dataclass(frozen=True)
class TrainConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: DenoiserConfig = field(default_factory=DenoiserConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    train: OptimConfig = field(default_factory=OptimConfig)

    def to_dict(self) -> dict[str, Any]:
        return {"data": dataclasses.asdict(self.data), "model": self.model.to_dict(),
                "loss": dataclasses.asdict(self.loss), "train": dataclasses.asdict(self.train)}


def _section(cls, values: Any, name: str):
    if values is None:
        return cls()
    if not isinstance(values, dict):
        raise ParameterError(f"the '{name}' section of the training config must be a mapping.")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(values) - known
    if unknown:
        raise ParameterError(f"unknown keys in the '{name}' section of the training config: "
                             f"{', '.join(sorted(unknown))} (known: {', '.join(sorted(known))}).")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"the '{name}' section of the training config is not valid: "
                             f"{error}.") from None


def _check(config: TrainConfig) -> TrainConfig:
    d, t = config.data, config.train
    rules = [
        (8000 <= d.sample_rate <= 96000, "data.sample_rate must be 8000-96000 Hz"),
        (0.1 <= d.chunk_duration <= 30, "data.chunk_duration must be 0.1-30 s"),
        (d.items_per_epoch >= 1 and d.validation_items >= 1,
         "data.items_per_epoch and data.validation_items must be at least 1"),
        (1 <= t.epochs <= 100000, "train.epochs must be 1-100000"),
        (1 <= t.batch_size <= 4096, "train.batch_size must be 1-4096"),
        (0 < t.lr < 1, "train.lr must be between 0 and 1"),
        (t.weight_decay >= 0 and t.grad_clip > 0 and t.warmup_steps >= 0,
         "train.weight_decay and warmup_steps must be >= 0 and grad_clip > 0"),
        (0 <= t.workers <= 64 and t.seed >= 0, "train.workers must be 0-64, seed >= 0"),
        (d.sample_rate == config.model.sample_rate,
         "model.sample_rate must equal data.sample_rate"),
        (0 <= d.synthetic <= 1000, "data.synthetic must be 0-1000 pieces"),
        (0 <= d.clean_fraction <= 1, "data.clean_fraction must be 0-1"),
        (d.corpus or d.folders or d.synthetic,
         "give data.folders, data.corpus: true or data.synthetic: N"),
    ]
    for ok, message in rules:
        if not ok:
            raise ParameterError(f"{message} (training config).")
    return config


def load_config(source: str | Path | dict | None = None, **overrides: Any) -> TrainConfig:
    """Read a training configuration from a YAML path or a dict, checked.

    ``overrides`` replace whole sections' keys as ``section__key=value``
    (e.g. ``train__epochs=2``), which the CLI's ``--set`` uses.
    """
    if source is None:
        raw: dict = {}
    elif isinstance(source, dict):
        raw = source
    else:
        import yaml

        path = Path(source)
        if not path.is_file():
            raise ParameterError(f"the training config {path} does not exist.")
        try:
            raw = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as error:
            raise ParameterError(f"the training config {path} is not valid YAML: "
                                 f"{str(error).splitlines()[0]}.") from None
        if not isinstance(raw, dict):
            raise ParameterError(f"the training config {path} must be a mapping of sections.")
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    for key, value in overrides.items():
        section, _, name = key.partition("__")
        raw.setdefault(section, {})[name] = value
    unknown = set(raw) - {"data", "model", "loss", "train"}
    if unknown:
        raise ParameterError(f"unknown sections in the training config: {sorted(unknown)}.")
    model = raw.get("model") or {}
    model = {**model, "sample_rate": (raw.get("data") or {}).get("sample_rate", 22050)}
    try:
        model_config = DenoiserConfig.from_dict(model)
    except Exception as error:  # ModelError or a TypeError from a wrong value
        raise ParameterError(f"the 'model' section of the training config is not valid: "
                             f"{error}") from None
    return _check(TrainConfig(data=_section(DataConfig, raw.get("data"), "data"),
                              model=model_config,
                              loss=_section(LossConfig, raw.get("loss"), "loss"),
                              train=_section(OptimConfig, raw.get("train"), "train")))
