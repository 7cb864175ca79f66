"""Training losses: multi-resolution STFT, waveform L1, and the impulse loss.

- The multi-resolution STFT loss (Yamamoto et al., Parallel WaveGAN, 2020) compares
  magnitudes at several window sizes, each with spectral convergence
  ``||S - Ŝ||_F / ||S||_F`` and the L1 distance of log magnitudes: short windows judge
  the attacks, long ones the hiss floor and the pitch.
- The waveform L1 keeps phase and level honest where magnitudes cannot. It is divided
  by the clean signal's mean absolute value, so it is a relative error whatever the
  level of the chunk; left in the signal's units (about 0.01) it was a hundred times
  smaller than the spectral terms, and a model trained on it ignored the waveform (the
  first bundled run: +1.9 dB SI-SDR where the classical chain gave +3.6).
- The impulse loss looks only where the truth has impulses: the L1 error there,
  normalised by the impulse region's size so a few clicks in a quiet chunk count as much
  as many in a loud one, plus the learned detector's binary cross-entropy against the
  true mask (its own teacher signal). ``impulse_loss_weight`` (0.3) scales it.

References
----------
R. Yamamoto, E. Song, J.-M. Kim, "Parallel WaveGAN", ICASSP 2020, section 2.3.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["MultiResolutionSTFTLoss", "RestorationLoss"]


class MultiResolutionSTFTLoss(nn.Module):
    """Mean over resolutions of spectral convergence plus log-magnitude L1."""

    def __init__(self, *, resolutions=((256, 64), (512, 128), (1024, 256))):
        super().__init__()
        self.resolutions = tuple((int(n), int(h)) for n, h in resolutions)
        for n, _ in self.resolutions:
            self.register_buffer(f"window_{n}", torch.hann_window(n), persistent=False)

    def forward(self, estimate: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        est = estimate.reshape(-1, estimate.shape[-1]).float()
        ref = reference.reshape(-1, reference.shape[-1]).float()
        total = est.new_zeros(())
        for n, hop in self.resolutions:
            window = getattr(self, f"window_{n}")
            s_est = torch.stft(est, n, hop, window=window, return_complex=True).abs()
            s_ref = torch.stft(ref, n, hop, window=window, return_complex=True).abs()
            convergence = torch.linalg.norm(s_ref - s_est) / (torch.linalg.norm(s_ref) + 1e-7)
            log_mag = F.l1_loss(torch.log(s_est + 1e-5), torch.log(s_ref + 1e-5))
            total = total + convergence + log_mag
        return total / len(self.resolutions)


class RestorationLoss(nn.Module):
    """``mrstft + l1_weight * L1 + impulse_loss_weight * impulse``; returns the parts too.

    Parameters
    ----------
    impulse_loss_weight : float
        Weight of the impulse term (0.3).
    l1_weight : float
        Weight of the relative waveform L1.
    dilate : int
        Frames the true mask is widened by on each side, so an impulse's edges count.
    """

    def __init__(self, *, impulse_loss_weight: float = 0.3, l1_weight: float = 2.0,
                 dilate: int = 8):
        super().__init__()
        self.impulse_loss_weight = float(impulse_loss_weight)
        self.l1_weight = float(l1_weight)
        self.dilate = int(dilate)
        self.stft = MultiResolutionSTFTLoss()

    def forward(self, output, clean: torch.Tensor, mask: torch.Tensor):
        """``output`` is the model's :class:`~restorekit.models.denoiser.DenoiserOutput`."""
        estimate = output.audio
        spectral = self.stft(estimate, clean)
        scale = clean.abs().mean() + 1e-4  # errors in the signal's own units
        l1 = F.l1_loss(estimate, clean) / scale
        region = mask
        if self.dilate:
            region = F.max_pool1d(mask, 2 * self.dilate + 1, stride=1, padding=self.dilate)
        inside = region.sum()
        error = ((estimate - clean).abs() * region).sum() / (inside + 1.0)
        detector = F.binary_cross_entropy_with_logits(output.detector_logits.float(), mask)
        impulse = error / scale + detector
        total = spectral + self.l1_weight * l1 + self.impulse_loss_weight * impulse
        return total, {"mrstft": spectral.detach(), "l1": l1.detach(),
                       "impulse": impulse.detach()}
