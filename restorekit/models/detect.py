"""Dual impulse detection: a learned transient detector beside an analytical one.

A click is short, loud and broadband, and so is a snare hit. Two detectors look at the
waveform in different ways, and the denoiser is given both:

- the **analytical mask** is the classical cue (Vaseghi's derivative detectors): the mean
  of the absolute second difference and the absolute amplitude, each measured against
  its own local level, so it fires on whatever is sudden and loud for its surroundings,
  whatever the record's level;
- the **learned detector** is a four-layer 1-D CNN (1→32→16→8→1 channels, kernels
  5, 3, 3, 1, LeakyReLU, sigmoid) trained on the true impulse positions of the simulator,
  which learns the click's shape, not just its size.

Combined (their maximum by default, or their mean: ``DenoiserConfig.combine``) they give
the mask ``c``; the input is attenuated by ``1 - c * s``
(``s`` = ``max_suppression``, 0.9) before the backbone, which also sees the raw input and
``c``, so it can put back a musical attack that both detectors took for a click.

References
----------
S. V. Vaseghi, *Advanced Digital Signal Processing and Noise Reduction*, 4th ed., Wiley,
2008, ch. 13 (impulsive noise: detection by the prediction error and derivatives).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from restorekit.models.layers import run_stack

__all__ = ["ImpulseDetector", "analytical_mask", "local_level", "mask_events", "mask_runs"]


def local_level(x: torch.Tensor, *, window: int) -> torch.Tensor:
    """Mean of ``x`` over ``window`` samples centred on each sample (edges replicated).

    A running sum (in float64, so a long chunk loses no precision) costs two additions a
    sample whatever the window; pooling would cost ``window``.
    """
    half = window // 2
    padded = F.pad(x, (half + 1, window - 1 - half), mode="replicate")
    total = torch.cumsum(padded.double(), dim=-1)
    return ((total[..., window:] - total[..., :-window]) / window).to(x.dtype)


def analytical_mask(x: torch.Tensor, *, window: int = 1024, onset: float = 4.0,
                    eps: float = 1e-5) -> torch.Tensor:
    """The derivative/amplitude impulse cue, in 0..1.

    ``a = (|x[n+1] - 2 x[n] + x[n-1]| + |x[n]|) / 2``, divided by its mean over
    ``window`` samples around ``n``; the ratio ``r`` maps to ``tanh(max(r - onset, 0) /
    onset)``: nothing until ``onset`` times the local level, nearly 1 at three times that.

    Parameters
    ----------
    x : torch.Tensor
        (batch, 1, frames).
    window : int
        Frames of the local level (1024 at 22.05 kHz: 46 ms, longer than any click).
    onset : float
        Ratio to the local level below which nothing is flagged.
    eps : float
        Keeps digital silence from dividing by zero.
    """
    d2 = F.pad(x[..., 2:] - 2 * x[..., 1:-1] + x[..., :-2], (1, 1))
    a = 0.5 * (d2.abs() + x.abs())
    ratio = a / (local_level(a, window=window) + eps)
    return torch.tanh(F.relu(ratio - onset) / onset)


class ImpulseDetector(nn.Module):
    """The learned transient detector: a soft mask, 1 where it hears an impulse.

    Its input is the waveform divided by its local RMS (over ``window`` samples), so it
    answers the same for a loud and a quiet record. Its last layer's bias starts at the
    logit of ``prior``, about the share of samples an impulse covers, so on ordinary
    signals its output starts near ``prior``, not at 0.5 (the "prior probability"
    initialisation of Lin et al., "Focal loss for dense object detection", ICCV 2017): a
    detector that starts by calling half of every sample an impulse has the whole signal
    suppressed, and the backbone learns to undo that before anything else.

    Parameters
    ----------
    window : int
        Frames of the local RMS the input is divided by.
    slope : float
        Negative slope of the LeakyReLUs.
    prior : float
        The output before training, in (0, 1).
    """

    def __init__(self, *, window: int = 1024, slope: float = 0.1, prior: float = 0.02):
        super().__init__()
        self.window = window
        self.net = nn.Sequential(
            nn.Conv1d(1, 32, 5, padding=2), nn.LeakyReLU(slope),
            nn.Conv1d(32, 16, 3, padding=1), nn.LeakyReLU(slope),
            nn.Conv1d(16, 8, 3, padding=1), nn.LeakyReLU(slope),
            nn.Conv1d(8, 1, 1))
        nn.init.constant_(self.net[-1].bias, math.log(prior / (1 - prior)))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        rms = local_level(x * x, window=self.window).sqrt()
        return run_stack(self.net, x / (rms + 1e-4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(x))


def mask_runs(mask, *, threshold: float = 0.5, merge: int = 22):
    """The impulses a mask flags: ``(start, end, position)`` of each run above ``threshold``.

    Runs less than ``merge`` frames apart (1 ms at 22.05 kHz) are one impulse, as a
    click's ringing crosses zero; ``position`` is the frame of the run's highest value.
    ``mask`` is 1-D (numpy or torch).
    """
    from restorekit.dsp.arrays import true_runs

    m = np.asarray(mask, dtype=np.float64).ravel()
    runs = true_runs(m > threshold, join=merge)
    starts = np.array([a for a, _ in runs], np.int64)
    ends = np.array([b for _, b in runs], np.int64)
    position = np.array([a + int(np.argmax(m[a:b])) for a, b in runs], np.int64)
    return starts, ends, position


def mask_events(mask, *, threshold: float = 0.5, merge: int = 22) -> np.ndarray:
    """Frames of the impulses a mask flags (see :func:`mask_runs`)."""
    return mask_runs(mask, threshold=threshold, merge=merge)[2]
