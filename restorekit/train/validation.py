"""The fixed validation set and what is measured on it after every epoch.

The same items every epoch (drawn once, with their truth), so the curves compare like
with like: the loss, SI-SDR of the input and of the output against the clean chunk,
click F1 of the impulses the model's combined mask flags (peaks of runs above 0.5,
against the true clicks, detections at crackle left out as in the benchmark) and
transient preservation (:func:`restorekit.metrics.transient_preservation`).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from restorekit.degrade import Degraded
from restorekit.metrics import click_f1, si_sdr, transient_preservation
from restorekit.models.detect import mask_events
from restorekit.train.dataset import impulse_mask

__all__ = ["Validation", "truth_positions"]


def truth_positions(item: Degraded, part: str) -> np.ndarray:
    """Frames of the true impulse peaks of one simulator part ("clicks", "crackle")."""
    found = [t.events["position"] for t in item.truth.find(part) if "position" in t.events]
    return np.sort(np.concatenate(found)).astype(np.int64) if found else np.zeros(0, np.int64)


class Validation:
    """Score a model on fixed items; see the module notes."""

    def __init__(self, items: list[Degraded], *, sample_rate: int, batch: int = 8):
        self.items = items
        self.sample_rate = sample_rate
        self.batch = batch
        self.inputs = torch.stack([torch.tensor(i.audio.samples) for i in items])
        self.clean = torch.stack([torch.tensor(i.clean.samples) for i in items])
        self.masks = torch.stack([torch.from_numpy(impulse_mask(i)[None]) for i in items])
        # what the model is judged against does not change from epoch to epoch
        self.sdr_in = float(np.mean([si_sdr(i.clean.samples[0], i.audio.samples[0], sample_rate)
                                     for i in items]))
        self.clicks = [truth_positions(i, "clicks") for i in items]
        self.crackle = [truth_positions(i, "crackle") for i in items]

    def run(self, model, loss, *, device) -> dict[str, float]:
        model.eval()
        outputs, combined, losses = [], [], []
        with torch.inference_mode():
            for first in range(0, len(self.items), self.batch):
                part = slice(first, first + self.batch)
                out = model(self.inputs[part].to(device))
                total, _ = loss(out, self.clean[part].to(device), self.masks[part].to(device))
                losses.append(float(total) * out.audio.shape[0])
                outputs.append(out.audio.float().cpu())
                combined.append(out.combined.float().cpu())
        model.train()
        restored, masks = torch.cat(outputs).numpy(), torch.cat(combined).numpy()
        rate = self.sample_rate
        sdr_out, f1, transients = [], [], []
        for item, y, m, clicks, crackle in zip(self.items, restored, masks, self.clicks,
                                               self.crackle, strict=True):
            clean = item.clean.samples[0]
            sdr_out.append(si_sdr(clean, y[0], rate))
            found = mask_events(m[0])
            if crackle.size and found.size:
                near = np.abs(found[:, None] - crackle[None]).min(axis=1) <= rate // 1000
                found = found[~near]
            f1.append(click_f1(clicks, found, rate))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a silent chunk has no onsets: NaN, skipped
                transients.append(transient_preservation(clean, y[0], rate))
        return {"val_loss": sum(losses) / len(self.items),
                "val_si_sdr_in": self.sdr_in, "val_si_sdr": float(np.mean(sdr_out)),
                "val_click_f1": float(np.mean(f1)),
                "val_transient_preservation": float(np.nanmean(transients))}
