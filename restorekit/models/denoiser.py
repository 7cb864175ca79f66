"""The impulse-aware 78rpm denoiser: dual impulse detection in front of a waveform U-Net.

The model, for each channel ``x`` of the input (channels are restored one at a time,
with the same weights, as a mono 78 is usually transferred in stereo):

1. ``m_l = detector(x)`` (learned) and ``m_a = analytical_mask(x)`` (derivative and
   amplitude), combined as ``c = w m_l + (1 - w) m_a`` (``w`` = ``detector_weight``);
2. ``s = x * (1 - c * max_suppression)``: the impulses pushed down before the backbone
   hears them, so their energy does not spread through its convolutions;
3. ``y = s + unet([x, s, c])``: the backbone fills the suppressed gaps and takes out
   the hiss and crackle, as a correction to ``s`` (residual learning), with the raw
   input at hand to give back an attack the masks mistook for a click.

See :mod:`restorekit.models.detect` and :mod:`restorekit.models.unet` for the parts and
their references.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from restorekit.errors import ModelError
from restorekit.models.detect import ImpulseDetector, analytical_mask
from restorekit.models.unet import WaveUNet

__all__ = ["DenoiserConfig", "ImpulseAwareDenoiser", "DenoiserOutput"]


@dataclass(frozen=True)
class DenoiserConfig:
    """Everything that fixes the model's shape and behaviour (saved beside its weights).

    Attributes
    ----------
    sample_rate : int
        The rate it was trained at; input at another rate is resampled to it.
    channels : tuple of int
        U-Net widths per level.
    stride : int
        U-Net downsampling per level.
    blocks : int
        Separable blocks per level.
    stem : int
        Full-rate width.
    max_suppression : float
        How far a certain impulse is pushed down before the backbone (0.9: by 20 dB).
    detector_weight : float
        Weight of the learned mask in the combined one (the analytical has the rest).
    analytical_onset : float
        Ratio to the local level where the analytical mask starts.
    upsample : str
        The U-Net decoder's upsampling, "transposed" or "linear"
        (:class:`~restorekit.models.unet.WaveUNet`).
    """

    sample_rate: int = 22050
    channels: tuple[int, ...] = (16, 32, 64, 128)
    stride: int = 4
    blocks: int = 2
    stem: int = 16
    max_suppression: float = 0.9
    detector_weight: float = 0.5
    analytical_onset: float = 4.0
    upsample: str = "transposed"

    def __post_init__(self):
        if not 0.0 <= self.max_suppression <= 1.0:
            raise ModelError(f"max_suppression must be 0-1, got {self.max_suppression}.")
        if not 0.0 <= self.detector_weight <= 1.0:
            raise ModelError(f"detector_weight must be 0-1, got {self.detector_weight}.")
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "channels": list(self.channels)}

    @classmethod
    def from_dict(cls, values: dict) -> DenoiserConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ModelError(f"the model configuration has unknown keys {sorted(unknown)}.")
        return cls(**values)


class DenoiserOutput(NamedTuple):
    """The restored signal and the masks that led to it, each (batch, channels, frames)."""

    audio: torch.Tensor
    detector_logits: torch.Tensor
    analytical: torch.Tensor
    combined: torch.Tensor


class ImpulseAwareDenoiser(nn.Module):
    """Dual impulse detection, suppression, and a depthwise-separable waveform U-Net.

    Parameters
    ----------
    config : DenoiserConfig
    """

    kind = "impulse_aware_denoiser"

    def __init__(self, config: DenoiserConfig | None = None):
        super().__init__()
        self.config = config or DenoiserConfig()
        c = self.config
        self.detector = ImpulseDetector()
        self.unet = WaveUNet(3, 1, channels=c.channels, stride=c.stride, blocks=c.blocks,
                             stem=c.stem, upsample=c.upsample)

    @property
    def multiple(self) -> int:
        return self.unet.multiple

    def forward(self, x: torch.Tensor) -> DenoiserOutput:
        """Restore ``x`` shaped (batch, channels, frames); every channel on its own."""
        if x.ndim != 3:
            raise ModelError(f"the denoiser takes (batch, channels, frames), got {tuple(x.shape)}.")
        batch, channels, frames = x.shape
        mono = x.reshape(batch * channels, 1, frames)
        c = self.config
        logits = self.detector.logits(mono)
        analytic = analytical_mask(mono, onset=c.analytical_onset)
        combined = c.detector_weight * torch.sigmoid(logits) + (1 - c.detector_weight) * analytic
        suppressed = mono * (1 - combined * c.max_suppression)
        out = suppressed + self.unet(torch.cat([mono, suppressed, combined], dim=1))
        shape = (batch, channels, frames)
        return DenoiserOutput(out.reshape(shape), logits.reshape(shape),
                              analytic.reshape(shape), combined.reshape(shape))

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())
