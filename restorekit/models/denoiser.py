"""The impulse-aware 78rpm denoiser: dual impulse detection in front of a learned backbone.

The model, for each channel ``x`` of the input (channels are restored one at a time,
with the same weights, as a mono 78 is usually transferred in stereo):

1. ``m_l = detector(x)`` (learned) and ``m_a = analytical_mask(x)`` (derivative and
   amplitude), combined as ``c = max(w m_l, (1 - w) m_a) / max(w, 1 - w)`` (``combine =
   "max"``: with the default ``w = 0.5`` either cue alone can flag an impulse fully) or
   ``c = w m_l + (1 - w) m_a`` (``"mean"``: both must agree), ``w`` =
   ``detector_weight``;
2. ``s = x * (1 - c * max_suppression)``: the impulses pushed down before the backbone
   hears them, so their energy does not spread through its convolutions;
3. the backbone (``backbone``):

   - ``"spectral"`` (the default): ``z = SpectralMaskNet(s, c)``, ``s`` with a learned
     gain on every STFT bin that takes out the hiss and crackle, then
     ``y = z + refine([x, s, c, z])``, a short full-rate residual network that mends
     what a gain cannot: the dents the suppression left and an attack the masks mistook
     for a click (the raw input is at hand for that). ``refine = 0`` leaves it out;
   - ``"waveunet"`` (the first bundled model): ``y = s + unet([x, s, c])``.

See :mod:`restorekit.models.detect`, :mod:`restorekit.models.spectral` and
:mod:`restorekit.models.unet` for the parts, why each, and their references.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from restorekit.errors import ModelError
from restorekit.models.detect import ImpulseDetector, analytical_mask
from restorekit.models.layers import run_stack
from restorekit.models.spectral import SpectralMaskNet
from restorekit.models.unet import WaveUNet

__all__ = ["DenoiserConfig", "ImpulseAwareDenoiser", "DenoiserOutput", "Refiner"]


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
    combine : str
        "max" or "mean" of the weighted masks (see the module notes).
    analytical_onset : float
        Ratio to the local level where the analytical mask starts.
    upsample : str
        The U-Net decoder's upsampling, "transposed" or "linear"
        (:class:`~restorekit.models.unet.WaveUNet`).
    backbone : str
        "spectral" or "waveunet" (see the module notes). ``channels``, ``stride``,
        ``blocks``, ``stem`` and ``upsample`` are the U-Net's; ``n_fft``, ``hop``,
        ``width``, ``dilations``, ``level_frames`` and ``refine`` the spectral one's.
    n_fft, hop, width, level_frames : int
        :class:`~restorekit.models.spectral.SpectralMaskNet`'s.
    dilations : tuple of int
        Its residual blocks, one per dilation.
    refine : int
        Width of the full-rate refining network after the spectral gain (0: none).
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
    combine: str = "max"
    backbone: str = "spectral"
    n_fft: int = 512
    hop: int = 128
    width: int = 256
    dilations: tuple[int, ...] = (1, 2, 4, 8, 1)
    level_frames: int = 87
    refine: int = 16

    def __post_init__(self):
        if not 0.0 <= self.max_suppression <= 1.0:
            raise ModelError(f"max_suppression must be 0-1, got {self.max_suppression}.")
        if not 0.0 <= self.detector_weight <= 1.0:
            raise ModelError(f"detector_weight must be 0-1, got {self.detector_weight}.")
        if self.combine not in ("max", "mean"):
            raise ModelError(f"combine must be 'max' or 'mean', got {self.combine!r}.")
        if self.backbone not in ("spectral", "waveunet"):
            raise ModelError(f"backbone must be 'spectral' or 'waveunet', got {self.backbone!r}.")
        object.__setattr__(self, "channels", tuple(int(c) for c in self.channels))
        object.__setattr__(self, "dilations", tuple(int(d) for d in self.dilations))
        if self.width < 1 or self.refine < 0 or min(self.dilations, default=0) < 1:
            raise ModelError(f"need width >= 1, refine >= 0 and dilations of at least 1, got "
                             f"width {self.width}, refine {self.refine}, dilations "
                             f"{list(self.dilations)}.")

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "channels": list(self.channels),
                "dilations": list(self.dilations)}

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


class Refiner(nn.Module):
    """A short full-rate network: plain convolutions, kernel 3, dilations 1 to 16.

    It reaches 34 samples either side (1.5 ms at 22.05 kHz): the whole of most clicks
    and the edges of the wider ones, which is where the suppression leaves its dents.
    Plain convolutions, not separable ones: at 16 channels they run twice as fast on a
    CPU core (depthwise convolutions are poorly vectorised). Its last layer starts at
    zero, so before training it changes nothing.

    Parameters
    ----------
    in_channels : int
        Signals it reads (the raw input, the suppressed one, the mask, the gained one).
    width : int
        Channels of its convolutions.
    """

    dilations = (1, 2, 4, 8, 16)
    receptive_field = 3 + sum(dilations)

    def __init__(self, in_channels: int, *, width: int):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv1d(in_channels, width, 7, padding=3), nn.LeakyReLU(0.1)]
        for d in self.dilations:
            layers += [nn.Conv1d(width, width, 3, padding=d, dilation=d), nn.LeakyReLU(0.1)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Conv1d(width, 1, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return run_stack([*self.body, self.head], x)


class ImpulseAwareDenoiser(nn.Module):
    """Dual impulse detection, suppression, and a spectral gain or a waveform U-Net.

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
        if c.backbone == "waveunet":
            self.unet = WaveUNet(3, 1, channels=c.channels, stride=c.stride, blocks=c.blocks,
                                 stem=c.stem, upsample=c.upsample)
        else:
            self.spectral = SpectralMaskNet(side_channels=1, n_fft=c.n_fft, hop=c.hop,
                                            width=c.width, dilations=c.dilations,
                                            level_frames=c.level_frames)
            self.refiner = Refiner(4, width=c.refine) if c.refine else None

    @property
    def multiple(self) -> int:
        """Chunks start on multiples of this, so they see what the whole signal would."""
        return self.unet.multiple if self.config.backbone == "waveunet" else self.config.hop

    @property
    def receptive_field(self) -> int:
        """A bound on how far (frames, either side) one input frame can change the
        output: the margin chunked inference needs to equal whole-signal inference."""
        # both masks read a local level over the detector's window, plus a few taps
        masks = self.detector.window // 2 + 8
        if self.config.backbone == "waveunet":
            return self.unet.receptive_field + masks
        refine = self.refiner.receptive_field if self.refiner is not None else 0
        return self.spectral.receptive_field + refine + masks

    def forward(self, x: torch.Tensor) -> DenoiserOutput:
        """Restore ``x`` shaped (batch, channels, frames); every channel on its own."""
        if x.ndim != 3:
            raise ModelError(f"the denoiser takes (batch, channels, frames), got {tuple(x.shape)}.")
        batch, channels, frames = x.shape
        mono = x.reshape(batch * channels, 1, frames)
        c = self.config
        logits = self.detector.logits(mono)
        analytic = analytical_mask(mono, window=self.detector.window, onset=c.analytical_onset)
        learned = c.detector_weight * torch.sigmoid(logits)
        if c.combine == "max":
            combined = torch.maximum(learned, (1 - c.detector_weight) * analytic)
            combined = combined / max(c.detector_weight, 1 - c.detector_weight)
        else:
            combined = learned + (1 - c.detector_weight) * analytic
        suppressed = mono * (1 - combined * c.max_suppression)
        if c.backbone == "waveunet":
            out = suppressed + self.unet(torch.cat([mono, suppressed, combined], dim=1))
        else:
            out = self.spectral(suppressed, combined)
            if self.refiner is not None:
                out = out + self.refiner(torch.cat([mono, suppressed, combined, out], dim=1))
        shape = (batch, channels, frames)
        return DenoiserOutput(out.reshape(shape), logits.reshape(shape),
                              analytic.reshape(shape), combined.reshape(shape))

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())
