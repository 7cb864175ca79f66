import pytest
import torch

from restorekit.errors import ModelError
from restorekit.models.denoiser import DenoiserConfig, ImpulseAwareDenoiser
from restorekit.models.unet import WaveUNet

SMALL = DenoiserConfig(sample_rate=8000, channels=(8, 16), blocks=1, stem=8)


@pytest.mark.parametrize("frames", [1, 15, 16, 1000, 4097])
@pytest.mark.parametrize("upsample", ["transposed", "linear"])
def test_unet_keeps_any_length(frames, upsample):
    net = WaveUNet(3, 1, channels=(4, 8), stride=4, blocks=1, stem=4, upsample=upsample)
    assert net(torch.randn(2, 3, frames)).shape == (2, 1, frames)
    assert net.multiple == 16


def test_mono_and_stereo_channels_are_restored_alike():
    torch.manual_seed(0)
    model = ImpulseAwareDenoiser(SMALL).eval()
    x = torch.randn(1, 2, 2000) * 0.1
    with torch.inference_mode():
        stereo = model(x)
        left = model(x[:, :1])
    assert stereo.audio.shape == stereo.combined.shape == (1, 2, 2000)
    assert torch.allclose(stereo.audio[:, :1], left.audio, atol=1e-6)


def test_suppression_follows_the_combined_mask():
    """With the backbone silenced, the output is the input times 1 - c * max_suppression."""
    model = ImpulseAwareDenoiser(DenoiserConfig(sample_rate=8000, channels=(8,), blocks=1,
                                                stem=8, max_suppression=0.6)).eval()
    torch.nn.init.zeros_(model.unet.head.weight)
    torch.nn.init.zeros_(model.unet.head.bias)
    x = torch.randn(1, 1, 3000) * 0.05
    x[..., 1500] = 0.9
    with torch.inference_mode():
        out = model(x)
    expected = x * (1 - 0.6 * out.combined)
    assert torch.allclose(out.audio, expected, atol=1e-7)
    assert out.combined[0, 0, 1500] > 0.4       # the analytical half alone is near 0.5
    assert out.audio[0, 0, 1500] < 0.8 * 0.9


def test_config_round_trips_and_refuses_nonsense():
    config = DenoiserConfig(channels=[8, 16])
    assert DenoiserConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ModelError, match="max_suppression"):
        DenoiserConfig(max_suppression=1.5)
    with pytest.raises(ModelError, match="unknown keys"):
        DenoiserConfig.from_dict({"layers": 3})
    with pytest.raises(ModelError, match="batch, channels, frames"):
        ImpulseAwareDenoiser(SMALL)(torch.zeros(10))


def test_unknown_upsampling_is_refused():
    with pytest.raises(ModelError, match="upsample"):
        WaveUNet(1, 1, upsample="pixelshuffle")
