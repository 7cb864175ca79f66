"""A waveform U-Net built from depthwise-separable convolutions.

Why this backbone. Clicks are a few samples wide and broadband: a spectral model with a
hop of 128 samples smears them over a frame, while a waveform model sees them exactly
where they are. A U-Net (Wave-U-Net; Demucs v1/v2 for music) sees both scales: its
strided encoder summarises ~0.1 s of context for the hiss and the music's pitch, and the
skip connections give the decoder the input's full resolution back for the attacks.
Depthwise-separable blocks (MobileNet; Conv-TasNet's 1-D blocks) cost about ``1/k`` of a
full convolution, which is what lets a model of a few hundred thousand weights run many
times faster than realtime on one CPU core.

References
----------
D. Stoller, S. Ewert, S. Dixon, "Wave-U-Net: a multi-scale neural network for end-to-end
audio source separation", ISMIR 2018. A. Défossez et al., "Music source separation in
the waveform domain", arXiv:1911.13254 (Demucs). Y. Luo, N. Mesgarani, "Conv-TasNet",
IEEE/ACM TASLP 27 (8), 2019. A. Howard et al., "MobileNets", arXiv:1704.04861.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from restorekit.errors import ModelError

__all__ = ["SeparableBlock", "WaveUNet"]


class SeparableBlock(nn.Module):
    """Residual block: depthwise conv (kernel ``k``, dilation ``d``), GELU, pointwise conv."""

    def __init__(self, channels: int, *, kernel: int = 5, dilation: int = 1):
        super().__init__()
        self.depthwise = nn.Conv1d(channels, channels, kernel, groups=channels,
                                   dilation=dilation, padding=dilation * (kernel // 2))
        self.pointwise = nn.Conv1d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pointwise(F.gelu(self.depthwise(x)))


class WaveUNet(nn.Module):
    """Encoder of strided convolutions, decoder of transposed ones, skips between.

    Parameters
    ----------
    in_channels, out_channels : int
    channels : sequence of int
        Width of each level; its length is the depth.
    stride : int
        Downsampling per level (the kernel is ``2 * stride``, as in Demucs).
    blocks : int
        Separable residual blocks per level, with dilations 1, 2, 4, ...
    stem : int
        Width of the full-rate layers before the first and after the last level.
    upsample : {"transposed", "linear"}
        How the decoder doubles back: a transposed convolution (Demucs), or linear
        interpolation then a convolution, which cannot make the periodic "checkerboard"
        pattern a transposed convolution with a kernel that is not a multiple of its
        stride's overlap can (Odena et al., "Deconvolution and checkerboard artifacts",
        Distill 2016).
    """

    def __init__(self, in_channels: int, out_channels: int, *,
                 channels=(16, 32, 64, 128), stride: int = 4, blocks: int = 2,
                 stem: int = 16, upsample: str = "transposed"):
        super().__init__()
        self.stride = stride
        self.depth = len(channels)
        self.blocks = blocks
        self.stem = nn.Sequential(nn.Conv1d(in_channels, stem, 7, padding=3), nn.GELU())
        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        previous = stem
        for width in channels:
            self.down.append(nn.Sequential(
                nn.Conv1d(previous, width, 2 * stride, stride=stride, padding=stride // 2),
                nn.GELU(),
                *(SeparableBlock(width, dilation=2 ** b) for b in range(blocks))))
            previous = width
        outs = [stem, *channels[:-1]]
        if upsample not in ("transposed", "linear"):
            raise ModelError(f"upsample must be 'transposed' or 'linear', got {upsample!r}.")
        for width, out in zip(reversed(channels), reversed(outs), strict=True):
            if upsample == "transposed":
                grow = [nn.ConvTranspose1d(width, out, 2 * stride, stride=stride,
                                           padding=stride // 2)]
            else:
                grow = [nn.Upsample(scale_factor=stride, mode="linear", align_corners=False),
                        nn.Conv1d(width, out, 2 * stride + 1, padding=stride)]
            self.up.append(nn.Sequential(
                *(SeparableBlock(width, dilation=2 ** b) for b in range(blocks)), *grow))
        self.head = nn.Conv1d(stem, out_channels, 1)

    @property
    def receptive_field(self) -> int:
        """A bound on how far (frames, either side) one input frame reaches the output.

        Each level adds its strided convolution and its transposed (or interpolating)
        one, each ``2 * stride`` taps at the finer rate, and its separable blocks on the
        way down and up, ``2 * dilation`` either side at the coarser rate.
        """
        reach = 3  # the stem's kernel of 7
        blocks = sum(2 * 2 ** b for b in range(self.blocks))
        for level in range(self.depth):
            finer, coarser = self.stride ** level, self.stride ** (level + 1)
            reach += 2 * (2 * self.stride * finer) + 2 * blocks * coarser
        return reach

    @property
    def multiple(self) -> int:
        """Input lengths are padded to a multiple of this (``stride ** depth``)."""
        return self.stride ** self.depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frames = x.shape[-1]
        pad = -frames % self.multiple
        h = self.stem(F.pad(x, (0, pad)))
        skips = []
        for down in self.down:
            skips.append(h)
            h = down(h)
        for up in self.up:
            h = up(h)
            h = h + skips.pop()
        return self.head(F.gelu(h))[..., :frames]
