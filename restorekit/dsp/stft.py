"""Short-time Fourier transforms on numpy and torch that invert exactly.

Both use a periodic Hann window, frames centred on multiples of ``hop_length`` (the signal
is zero-padded by ``n_fft // 2`` on each side), and weighted overlap-add inversion
divided by the summed squared window (Griffin & Lim 1984, eq. 6), so
``istft(stft(x), length=len(x))`` returns ``x`` to float rounding for any hop up to
``n_fft // 2``. The numpy and torch versions give the same numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from restorekit.errors import ParameterError

if TYPE_CHECKING:
    import torch

__all__ = ["stft", "istft", "torch_stft", "torch_istft", "check_stft_sizes"]


def check_stft_sizes(n_fft: int, hop_length: int, *, invertible: bool = False) -> None:
    """Raise :class:`ParameterError` unless ``n_fft >= 2`` and ``0 < hop_length <= n_fft``.

    With ``invertible=True`` the hop must also be at most ``n_fft // 2``: a Hann window
    is zero at its ends, so with less overlap some samples are never covered.
    """
    if not (isinstance(n_fft, (int, np.integer)) and n_fft >= 2):
        raise ParameterError(f"n_fft must be an integer of at least 2, got {n_fft!r}.")
    largest = n_fft // 2 if invertible else n_fft
    if not (isinstance(hop_length, (int, np.integer)) and 0 < hop_length <= largest):
        raise ParameterError(f"hop_length must be an integer from 1 to {largest} for "
                             f"n_fft={n_fft}, got {hop_length!r}.")


def _hann(n_fft: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float64)


def stft(x: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Complex STFT of ``x`` (..., frames) → (..., n_fft // 2 + 1, n_frames).

    Parameters
    ----------
    x : numpy.ndarray
        Real signal; leading axes (channels) are kept.
    n_fft : int
        Window and FFT length in samples.
    hop_length : int
        Step between frames in samples.

    Returns
    -------
    numpy.ndarray
        complex128 spectrum with ``1 + len // hop_length`` frames.
    """
    check_stft_sizes(n_fft, hop_length)
    x = np.asarray(x, dtype=np.float64)
    pad = n_fft // 2
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)])
    n_frames = 1 + x.shape[-1] // hop_length
    need = (n_frames - 1) * hop_length + n_fft
    if padded.shape[-1] < need:
        padded = np.pad(padded, [(0, 0)] * (x.ndim - 1) + [(0, need - padded.shape[-1])])
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft, axis=-1)
    frames = frames[..., : n_frames * hop_length : hop_length, :]
    spec = np.fft.rfft(frames * _hann(n_fft), axis=-1)
    return np.swapaxes(spec, -1, -2)


def istft(spec: np.ndarray, *, n_fft: int, hop_length: int, length: int) -> np.ndarray:
    """Invert :func:`stft` by weighted overlap-add; returns (..., length) float64."""
    check_stft_sizes(n_fft, hop_length, invertible=True)
    spec = np.swapaxes(np.asarray(spec), -1, -2)
    frames = np.fft.irfft(spec, n=n_fft, axis=-1) * _hann(n_fft)
    n_frames = frames.shape[-2]
    total = (n_frames - 1) * hop_length + n_fft
    out = np.zeros(frames.shape[:-2] + (total,))
    norm = np.zeros(total)
    window_sq = _hann(n_fft) ** 2
    for i in range(n_frames):
        s = i * hop_length
        out[..., s : s + n_fft] += frames[..., i, :]
        norm[s : s + n_fft] += window_sq
    pad = n_fft // 2
    out, norm = out[..., pad : pad + length], norm[pad : pad + length]
    if out.shape[-1] < length:
        raise ParameterError(f"the spectrum has too few frames for length={length}.")
    return out / np.where(norm > 1e-10, norm, 1.0)


def torch_stft(x: torch.Tensor, *, n_fft: int, hop_length: int) -> torch.Tensor:
    """The torch twin of :func:`stft` (autograd- and GPU-friendly)."""
    import torch

    check_stft_sizes(n_fft, hop_length)
    window = torch.hann_window(n_fft, periodic=True, dtype=x.dtype, device=x.device)
    lead = x.shape[:-1]
    spec = torch.stft(x.reshape(-1, x.shape[-1]), n_fft, hop_length=hop_length,
                      window=window, center=True, pad_mode="constant", return_complex=True)
    return spec.reshape(*lead, *spec.shape[-2:])


def torch_istft(spec: torch.Tensor, *, n_fft: int, hop_length: int,
                length: int) -> torch.Tensor:
    """The torch twin of :func:`istft`."""
    import torch

    check_stft_sizes(n_fft, hop_length, invertible=True)
    window = torch.hann_window(n_fft, periodic=True, dtype=spec.real.dtype,
                               device=spec.device)
    lead = spec.shape[:-2]
    out = torch.istft(spec.reshape(-1, *spec.shape[-2:]), n_fft, hop_length=hop_length,
                      window=window, center=True, length=length)
    return out.reshape(*lead, length)
