import torch

from restorekit.models.denoiser import DenoiserOutput
from restorekit.train.losses import MultiResolutionSTFTLoss, RestorationLoss


def _output(audio, logits=None):
    zeros = torch.zeros_like(audio)
    return DenoiserOutput(audio, zeros if logits is None else logits, zeros, zeros)


def test_stft_loss_is_zero_for_a_perfect_estimate_and_grows_with_error():
    g = torch.Generator().manual_seed(0)
    clean = torch.randn(2, 1, 4096, generator=g) * 0.1
    loss = MultiResolutionSTFTLoss()
    assert loss(clean, clean) < 1e-6
    small = loss(clean + 0.01 * torch.randn(clean.shape, generator=g), clean)
    large = loss(clean + 0.1 * torch.randn(clean.shape, generator=g), clean)
    assert 0 < small < large


def test_impulse_term_only_sees_the_impulse_regions():
    clean = torch.zeros(1, 1, 2000) + 0.05
    mask = torch.zeros_like(clean)
    mask[..., 1000:1010] = 1
    loss = RestorationLoss(impulse_loss_weight=1.0)
    far = clean.clone()
    far[..., 100:110] += 0.5           # an error away from the impulses
    near = clean.clone()
    near[..., 1000:1010] += 0.5        # the same error on them
    logits = torch.where(mask > 0, 20.0, -20.0)  # a perfect detector
    _, parts_far = loss(_output(far, logits), clean, mask)
    _, parts_near = loss(_output(near, logits), clean, mask)
    assert parts_far["impulse"] < 1e-3 < parts_near["impulse"]


def test_detector_is_taught_by_the_true_mask():
    clean = torch.zeros(1, 1, 1000)
    mask = torch.zeros_like(clean)
    mask[..., 500:520] = 1
    loss = RestorationLoss()
    right = torch.where(mask > 0, 10.0, -10.0)
    _, good = loss(_output(clean, right), clean, mask)
    _, bad = loss(_output(clean, -right), clean, mask)
    assert good["impulse"] < 0.01 < bad["impulse"]


def test_weights_scale_the_total():
    g = torch.Generator().manual_seed(1)
    clean = torch.randn(1, 1, 2048, generator=g) * 0.1
    mask = (torch.rand(clean.shape, generator=g) > 0.99).float()
    estimate = _output(clean + 0.05 * torch.randn(clean.shape, generator=g))
    a, parts = RestorationLoss(impulse_loss_weight=0.0, l1_weight=0.0)(estimate, clean, mask)
    assert torch.isclose(a, parts["mrstft"])
    b, parts = RestorationLoss(impulse_loss_weight=0.3, l1_weight=2.0)(estimate, clean, mask)
    assert torch.isclose(b, parts["mrstft"] + 2 * parts["l1"] + 0.3 * parts["impulse"])
