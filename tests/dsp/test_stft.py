import numpy as np
import pytest
import torch

from restorekit.dsp import istft, stft, torch_istft, torch_stft
from restorekit.errors import ParameterError

SIZES = [(512, 128), (512, 256), (400, 100), (255, 64), (64, 1)]
LENGTHS = [1000, 4097]


@pytest.mark.parametrize(("n_fft", "hop"), SIZES)
@pytest.mark.parametrize("length", LENGTHS)
def test_numpy_stft_inverts(rng, n_fft, hop, length):
    x = rng.standard_normal((2, length))
    spec = stft(x, n_fft=n_fft, hop_length=hop)
    assert spec.shape == (2, n_fft // 2 + 1, 1 + length // hop)
    y = istft(spec, n_fft=n_fft, hop_length=hop, length=length)
    assert np.max(np.abs(y - x)) < 1e-9


@pytest.mark.parametrize(("n_fft", "hop"), SIZES)
@pytest.mark.parametrize("length", LENGTHS)
def test_torch_stft_inverts_and_matches_numpy(rng, n_fft, hop, length):
    x = rng.standard_normal((2, length))
    spec = torch_stft(torch.from_numpy(x), n_fft=n_fft, hop_length=hop)
    np.testing.assert_allclose(spec.numpy(), stft(x, n_fft=n_fft, hop_length=hop),
                               atol=1e-9)
    y = torch_istft(spec, n_fft=n_fft, hop_length=hop, length=length)
    assert torch.max(torch.abs(y - torch.from_numpy(x))).item() < 1e-9


def test_mono_1d_input_works_on_both(rng):
    x = rng.standard_normal(3001)
    spec = stft(x, n_fft=256, hop_length=64)
    assert spec.shape == (129, 1 + 3001 // 64)
    np.testing.assert_allclose(torch_stft(torch.from_numpy(x), n_fft=256, hop_length=64),
                               spec, atol=1e-9)
    assert np.max(np.abs(istft(spec, n_fft=256, hop_length=64, length=3001) - x)) < 1e-9


def test_a_sine_lands_in_its_bin():
    # 1 kHz at 16 kHz with n_fft 512 sits exactly on bin 32; a Hann-windowed sine of
    # amplitude 1 has magnitude n_fft / 4 there.
    t = np.arange(16000) / 16000
    spec = stft(np.sin(2 * np.pi * 1000 * t), n_fft=512, hop_length=128)
    frame = np.abs(spec[:, 20])
    assert np.argmax(frame) == 32
    assert frame[32] == pytest.approx(512 / 4, rel=1e-9)


def test_hop_too_large_to_invert_is_refused(rng):
    spec = stft(rng.standard_normal(1000), n_fft=256, hop_length=200)
    with pytest.raises(ParameterError, match="hop_length"):
        istft(spec, n_fft=256, hop_length=200, length=1000)
    with pytest.raises(ParameterError, match="hop_length"):
        torch_istft(torch.from_numpy(spec), n_fft=256, hop_length=129, length=1000)
    with pytest.raises(ParameterError, match="n_fft"):
        stft(np.zeros(100), n_fft=1, hop_length=1)
