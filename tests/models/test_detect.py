import numpy as np
import torch
from torch.nn import functional as F

from restorekit.models.detect import ImpulseDetector, analytical_mask, local_level, mask_runs


def test_local_level_equals_a_centred_moving_average():
    x = torch.rand(2, 1, 3000, generator=torch.Generator().manual_seed(0))
    window, half = 101, 50
    expected = F.avg_pool1d(F.pad(x, (half, window - 1 - half), mode="replicate"), window,
                            stride=1)
    assert torch.allclose(local_level(x, window=window), expected, atol=1e-6)


def test_analytical_mask_flags_a_click_and_not_a_tone():
    t = torch.arange(8000) / 8000
    tone = 0.3 * torch.sin(2 * torch.pi * 440 * t)[None, None]
    assert analytical_mask(tone).max() < 0.05
    clicked = tone.clone()
    clicked[..., 4000] += 0.8
    mask = analytical_mask(clicked)[0, 0]
    assert mask[3999:4002].max() > 0.9
    assert mask[:3900].max() < 0.05


def test_analytical_mask_does_not_depend_on_level():
    g = torch.Generator().manual_seed(1)
    x = 0.1 * torch.randn(1, 1, 4000, generator=g)
    x[..., 2000] += 1.0
    # above the eps that keeps digital silence finite, only the ratio to the level counts
    assert torch.allclose(analytical_mask(x), analytical_mask(0.1 * x), atol=1e-2)


def test_detector_layers_are_the_specified_ones():
    convs = [m for m in ImpulseDetector().net if isinstance(m, torch.nn.Conv1d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0]) for c in convs] == [
        (1, 32, 5), (32, 16, 3), (16, 8, 3), (8, 1, 1)]
    out = ImpulseDetector()(torch.randn(3, 1, 500))
    assert out.shape == (3, 1, 500) and 0 <= out.min() and out.max() <= 1


def test_mask_runs_merge_close_runs_and_find_peaks():
    m = np.zeros(200)
    m[10:13] = [0.6, 0.9, 0.7]
    m[20:22] = 0.8        # 7 frames after the first run: the same impulse
    m[100:104] = [0.55, 0.6, 0.95, 0.6]
    start, end, where = mask_runs(m, merge=10)
    assert start.tolist() == [10, 100] and end.tolist() == [22, 104]
    assert where.tolist() == [11, 102]
    assert mask_runs(np.zeros(5))[2].size == 0
