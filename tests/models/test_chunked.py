import numpy as np
import pytest
import torch

from restorekit.errors import ParameterError
from restorekit.models.chunked import apply_chunked, crossfade_window
from restorekit.models.denoiser import ImpulseAwareDenoiser


@pytest.mark.parametrize("margin", [0, 10])
def test_weights_of_overlapping_chunks_sum_to_one_in_the_middle(margin):
    chunk, overlap = 100, 30
    w = crossfade_window(chunk, overlap, margin)
    assert w[:margin].sum() == 0 and w[chunk - margin:].sum() == 0
    total = torch.zeros(600)
    for s in range(0, 500, chunk - overlap - 2 * margin):
        total[s: s + chunk] += w
    assert torch.allclose(total[margin + overlap:400], torch.ones(400 - margin - overlap))


@pytest.mark.parametrize("frames", [1, 999, 1000, 12345])
@pytest.mark.parametrize("margin", [0, 100])
def test_a_pointwise_model_comes_back_exactly(frames, margin):
    x = np.random.default_rng(0).standard_normal((2, frames)).astype(np.float32)
    y = apply_chunked(lambda b: 2 * b, x, chunk=1000, overlap=200, margin=margin, batch=3)
    assert y.shape == x.shape
    np.testing.assert_allclose(y, 2 * x, rtol=1e-6, atol=1e-6)


def test_denoiser_is_seam_free(each_small_config):
    """Chunked output equals the whole-signal output: no step where chunks meet."""
    torch.manual_seed(0)
    model = ImpulseAwareDenoiser(each_small_config).eval()
    if getattr(model, "refiner", None) is not None:
        torch.nn.init.normal_(model.refiner.head.weight, std=0.1)  # awake, not zero
    step = model.multiple
    margin = -(-model.receptive_field // step) * step  # as NeuralDenoise rounds it
    rng = np.random.default_rng(3)
    t = np.arange(40000) / 8000
    x = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(t.size))
    x = x[None].astype(np.float32)
    x[0, 9000] += 0.9  # a click
    with torch.inference_mode():
        whole = model(torch.from_numpy(x)[None]).audio[0].numpy()
    chunked = apply_chunked(lambda b: model(b).audio, x, chunk=4 * margin + 512, overlap=512,
                            margin=margin)
    # the recording's own two ends differ (the whole run sees the edge replicated, the
    # chunks see silence beyond it); everywhere else, seams included, the two agree
    inner = slice(margin, -margin)
    error = np.abs(chunked - whole)[0, inner]
    assert error.max() < 1e-5 * np.abs(whole).max()


def test_bad_chunking_is_refused():
    x = np.zeros((1, 10), np.float32)
    with pytest.raises(ParameterError):
        apply_chunked(lambda b: b, x, chunk=100, overlap=30, margin=25)
    with pytest.raises(ParameterError):
        apply_chunked(lambda b: b, x[0], chunk=100, overlap=10)
