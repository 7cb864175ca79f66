"""The trainer: AdamW, warm-up then cosine schedule, clipping, AMP on CUDA, resume.

Reproducibility. Every random draw has a seed: the model's initial weights
(``torch.manual_seed(seed)``), each training item (``(seed, epoch, index)``, see
:mod:`restorekit.train.dataset`) and the fixed validation set (its own seed). The
loader does not shuffle (the items are random already), so the order of batches is a
function of the epoch alone. A checkpoint holds the weights, the optimizer's moments and
step counts, and the epoch: resuming from it replays the same loss curve as a run that
never stopped (``tests/train/test_trainer.py`` checks this on the CPU).

Files in ``out_dir``: ``metrics.csv`` (one row per epoch), ``curves.png``, ``best`` and
``last`` models (:func:`restorekit.models.checkpoint.save_model`, best by validation
SI-SDR) and ``last_state.safetensors`` + ``.json`` (what resuming needs).
"""

from __future__ import annotations

import csv
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from restorekit.errors import ParameterError
from restorekit.io.write import atomic_path
from restorekit.models.checkpoint import LEGACY, save_model
from restorekit.models.denoiser import DenoiserConfig, ImpulseAwareDenoiser
from restorekit.train.config import TrainConfig
from restorekit.train.dataset import AudioRestorationDataset
from restorekit.train.losses import RestorationLoss
from restorekit.train.validation import Validation

__all__ = ["Trainer", "clean_folders"]

COLUMNS = ("epoch", "step", "lr", "train_loss", "train_mrstft", "train_l1", "train_impulse",
           "val_loss", "val_si_sdr_in", "val_si_sdr", "val_click_f1",
           "val_transient_preservation", "seconds")
VALIDATION_SEED = 1_000_003


def clean_folders(config: TrainConfig, *, progress: bool = False) -> list[Path]:
    """The folders of clean audio the config names, rendering the corpus if asked."""
    d = config.data
    folders = [Path(f) for f in d.folders]
    folders += [Path(f) for f in d.optional_folders if Path(f).is_dir()]
    root = Path(d.corpus_dir) if d.corpus_dir else default_corpus_dir()
    if d.corpus:
        from restorekit.train.corpus import render_corpus

        render_corpus(root, sample_rate=d.sample_rate, seconds=d.corpus_seconds,
                      progress=progress)
        folders.append(root)
    if d.synthetic:
        folders.append(synthetic_folder(root.parent / f"synthetic-{d.sample_rate}",
                                        pieces=d.synthetic, sample_rate=d.sample_rate))
    if not folders:
        raise ParameterError("the training config names no clean audio that exists.")
    return folders


def default_corpus_dir() -> Path:
    return Path.home() / ".cache" / "restorekit" / "corpus"


def synthetic_folder(where: Path, *, pieces: int, sample_rate: int,
                     seconds: float = 4.0) -> Path:
    """``pieces`` of synthesised music and voice in ``where`` (every fourth held out)."""
    from restorekit.io import save
    from restorekit.synth import synthesize_music, synthesize_voice

    (where / "heldout").mkdir(parents=True, exist_ok=True)
    for k in range(pieces):
        path = where / ("heldout" if k % 4 == 3 else ".") / f"synthetic_{k:03d}.flac"
        if path.exists():
            continue
        rng = np.random.default_rng([2026, k])
        audio = (synthesize_voice(sample_rate=sample_rate, duration=seconds, rng=rng)
                 if k % 2 else
                 synthesize_music(sample_rate=sample_rate, duration=seconds, rng=rng,
                                  channels=1, tempo_bpm=float(rng.uniform(60, 160))))
        save(audio, path, overwrite=True)
    return where


class Trainer:
    """Train an :class:`ImpulseAwareDenoiser` as ``config`` says.

    Parameters
    ----------
    config : TrainConfig
    out_dir : path, optional
        Overrides ``config.train.out_dir``.
    device : str, optional
        ``"cuda"`` when available, else ``"cpu"``.
    progress : bool
        Progress bars over batches.
    """

    def __init__(self, config: TrainConfig, *, out_dir: str | Path | None = None,
                 device: str | None = None, progress: bool = False):
        self.config = config
        t = config.train
        self.out_dir = Path(out_dir or t.out_dir)
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.progress = progress
        if t.threads:
            torch.set_num_threads(int(t.threads))
        torch.manual_seed(t.seed)
        self.model = ImpulseAwareDenoiser(config.model).to(self.device)
        if t.init:
            self._start_from(t.init)
        self.loss = RestorationLoss(**vars(config.loss)).to(self.device)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=t.lr,
                                           weight_decay=t.weight_decay)
        self.use_amp = bool(t.amp and self.device.type == "cuda")
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.use_amp)
        folders = clean_folders(config, progress=progress)
        d = config.data
        self.data = AudioRestorationDataset(folders, sample_rate=d.sample_rate,
                                            chunk_duration=d.chunk_duration,
                                            length=d.items_per_epoch, seed=t.seed,
                                            gain_db=d.gain_db,
                                            clean_fraction=d.clean_fraction)
        held = self.data.variant(seed=VALIDATION_SEED, length=d.validation_items)
        # validation chunks come from the training sources with their own seed: the
        # held-out sources are kept for the benchmark alone, never for choosing a model
        self.validation = Validation([held.draw(i) for i in range(d.validation_items)],
                                     sample_rate=d.sample_rate)
        self.steps_per_epoch = math.ceil(d.items_per_epoch / t.batch_size)
        self.total_steps = self.steps_per_epoch * t.epochs
        self.epoch, self.step, self.best = 0, 0, -math.inf

    def _start_from(self, spec: str) -> None:
        """Start from a saved model's weights (fine-tuning); its shape must be this one's."""
        from restorekit.models.checkpoint import load_model

        start = load_model(spec)
        if start.config != self.config.model:
            raise ParameterError(f"train.init {spec} has another model configuration than "
                                 "the config's 'model' section.")
        self.model.load_state_dict(start.state_dict())

    # -- schedule --------------------------------------------------------------------
    def lr_at(self, step: int) -> float:
        """Linear warm-up over ``warmup_steps``, then a cosine to a tenth of ``lr``."""
        t = self.config.train
        if step < t.warmup_steps:
            return t.lr * (step + 1) / t.warmup_steps
        span = max(1, self.total_steps - t.warmup_steps)
        done = min(1.0, (step - t.warmup_steps) / span)
        return t.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * done)))

    # -- one epoch -------------------------------------------------------------------
    def _loader(self):
        self.data.set_epoch(self.epoch)
        t = self.config.train
        return torch.utils.data.DataLoader(self.data, batch_size=t.batch_size, shuffle=False,
                                           num_workers=t.workers,
                                           persistent_workers=False)

    def train_epoch(self) -> dict[str, float]:
        from tqdm.auto import tqdm

        self.model.train()
        sums: dict[str, float] = {}
        batches = 0
        clip = self.config.train.grad_clip
        for degraded, clean, mask in tqdm(self._loader(), disable=not self.progress,
                                          desc=f"epoch {self.epoch + 1}", leave=False):
            degraded, clean, mask = (x.to(self.device) for x in (degraded, clean, mask))
            for group in self.optimizer.param_groups:
                group["lr"] = self.lr_at(self.step)
            with torch.autocast(self.device.type, enabled=self.use_amp):
                output = self.model(degraded)
                total, parts = self.loss(output, clean, mask)
            if not torch.isfinite(total):
                raise ParameterError(f"the training loss became {total.item()} at step "
                                     f"{self.step}; lower train.lr.")
            self.optimizer.zero_grad(set_to_none=True)
            self.scaler.scale(total).backward()
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.step += 1
            batches += 1
            for name, value in {"loss": total.detach(), **parts}.items():
                sums[name] = sums.get(name, 0.0) + float(value)
        return {f"train_{k}": v / batches for k, v in sums.items()}

    # -- the run ---------------------------------------------------------------------
    def fit(self, *, resume: bool = False, epochs: int | None = None) -> list[dict[str, Any]]:
        """Train until ``config.train.epochs`` (or ``epochs`` more); rows of metrics.csv."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if resume:
            self.load_state(self.out_dir / "last_state.safetensors")
        elif (self.out_dir / "metrics.csv").exists():
            raise ParameterError(f"{self.out_dir} already holds a run; pass resume or choose "
                                 "another out_dir.")
        last = self.config.train.epochs if epochs is None else self.epoch + epochs
        rows = []
        while self.epoch < min(last, self.config.train.epochs):
            started = time.perf_counter()
            row = {"epoch": self.epoch + 1, "lr": self.lr_at(self.step), **self.train_epoch()}
            row.update(self.validation.run(self.model, self.loss, device=self.device))
            row["step"] = self.step
            row["seconds"] = time.perf_counter() - started
            self.epoch += 1
            improved = row["val_si_sdr"] > self.best
            self.best = max(self.best, row["val_si_sdr"])
            info = {"epoch": self.epoch, "step": self.step, "val_si_sdr": row["val_si_sdr"],
                    "config": self.config.to_dict()}
            save_model(self.model, self.out_dir / "last.safetensors", training=info)
            if improved:
                save_model(self.model, self.out_dir / "best.safetensors", training=info)
            self.save_state(self.out_dir / "last_state.safetensors")
            self._append(row)
            self.plot()  # after every epoch, so a long run can be watched
            rows.append(row)
        return rows

    def _append(self, row: dict) -> None:
        path = self.out_dir / "metrics.csv"
        new = not path.exists()
        with open(path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v)
                             for k, v in row.items()})

    def plot(self) -> Path | None:
        """Draw ``curves.png`` from ``metrics.csv``: losses, and validation SI-SDR."""
        path = self.out_dir / "metrics.csv"
        if not path.exists():
            return None
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt

        with open(path) as f:
            rows = list(csv.DictReader(f))
        epoch = [int(r["epoch"]) for r in rows]
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
        left.plot(epoch, [float(r["train_loss"]) for r in rows], label="train")
        left.plot(epoch, [float(r["val_loss"]) for r in rows], label="validation")
        left.set(xlabel="epoch", ylabel="loss", title="loss")
        left.legend()
        right.plot(epoch, [float(r["val_si_sdr"]) for r in rows], label="restored")
        right.plot(epoch, [float(r["val_si_sdr_in"]) for r in rows], "--", label="input")
        right.set(xlabel="epoch", ylabel="dB", title="validation SI-SDR")
        right.legend()
        fig.tight_layout()
        out = self.out_dir / "curves.png"
        with atomic_path(out) as tmp:
            fig.savefig(tmp, dpi=100, format="png")
        plt.close(fig)
        return out

    # -- resume ----------------------------------------------------------------------
    def save_state(self, path: Path) -> None:
        """Weights, optimizer moments and counters, as safetensors + JSON (no pickle)."""
        from safetensors.torch import save_file

        tensors = {f"model.{k}": v.detach().cpu().contiguous()
                   for k, v in self.model.state_dict().items()}
        state = self.optimizer.state_dict()
        steps = {}
        for index, moments in state["state"].items():
            for name, value in moments.items():
                if name == "step":
                    steps[str(index)] = float(value)
                else:
                    tensors[f"optim.{index}.{name}"] = value.detach().cpu().contiguous()
        meta = {"epoch": self.epoch, "step": self.step, "best": self.best, "adam_steps": steps,
                "param_groups": state["param_groups"], "scaler": self.scaler.state_dict(),
                "config": self.config.to_dict()}
        with atomic_path(path) as tmp:
            save_file(tensors, str(tmp))
        with atomic_path(path.with_suffix(".json")) as tmp:
            tmp.write_text(json.dumps(meta, indent=1))

    def load_state(self, path: Path) -> None:
        from safetensors.torch import load_file

        if not path.is_file() or not path.with_suffix(".json").is_file():
            raise ParameterError(f"there is no run to resume in {path.parent} "
                                 f"({path.name} and its .json are missing).")
        tensors = load_file(str(path), device=str(self.device))
        meta = json.loads(path.with_suffix(".json").read_text())
        saved = DenoiserConfig.from_dict({**LEGACY[ImpulseAwareDenoiser.kind],
                                          **meta["config"]["model"]})
        if saved != self.config.model:
            raise ParameterError(f"the run in {path.parent} has another model configuration; "
                                 "resume with the config it was started with.")
        self.model.load_state_dict({k[6:]: v for k, v in tensors.items()
                                    if k.startswith("model.")})
        moments: dict[int, dict] = {}
        for key, value in tensors.items():
            if key.startswith("optim."):
                _, index, name = key.split(".", 2)
                moments.setdefault(int(index), {})[name] = value
        for index, step in meta["adam_steps"].items():
            moments.setdefault(int(index), {})["step"] = torch.tensor(step)
        self.optimizer.load_state_dict({"state": moments, "param_groups": meta["param_groups"]})
        if meta.get("scaler"):
            self.scaler.load_state_dict(meta["scaler"])
        self.epoch, self.step, self.best = meta["epoch"], meta["step"], meta["best"]
