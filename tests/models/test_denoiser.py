import pytest
import torch

from restorekit.errors import ModelError
from restorekit.models.denoiser import DenoiserConfig, ImpulseAwareDenoiser
from restorekit.models.spectral import SpectralMaskNet, frame_max
from restorekit.models.unet import WaveUNet


@pytest.mark.parametrize("frames", [1, 15, 16, 1000, 4097])
@pytest.mark.parametrize("upsample", ["transposed", "linear"])
def test_unet_keeps_any_length(frames, upsample):
    net = WaveUNet(3, 1, channels=(4, 8), stride=4, blocks=1, stem=4, upsample=upsample)
    assert net(torch.randn(2, 3, frames)).shape == (2, 1, frames)
    assert net.multiple == 16


@pytest.mark.parametrize("frames", [65, 1000, 4097])
def test_spectral_backbone_keeps_any_length_it_can_frame(frames):
    net = SpectralMaskNet(n_fft=128, hop=32, width=8, dilations=(1,), level_frames=5)
    x = torch.randn(2, 1, frames)
    assert net(x, torch.zeros_like(x)).shape == (2, 1, frames)
    with pytest.raises(ModelError, match="more than 64 frames"):
        net(x[..., :64], torch.zeros_like(x[..., :64]))


def test_spectral_gain_only_takes_away():
    """A gain in [0, 1] on every bin, resynthesised by least squares: away from the
    reflect-padded ends that is a projection, so the output carries no more energy than
    the input, whatever the weights."""
    torch.manual_seed(0)
    net = SpectralMaskNet(n_fft=128, hop=32, width=8, dilations=(1, 2), level_frames=5)
    for parameter in net.parameters():
        torch.nn.init.normal_(parameter, std=1.0)  # a wild gain, not the tame initial one
    x = torch.randn(4, 1, 4000)
    with torch.inference_mode():
        y = net(x, torch.rand_like(x))
    assert (y.pow(2).sum(-1) <= x.pow(2).sum(-1) * (1 + 1e-5)).all()
    assert (y.pow(2).sum(-1) < 0.99 * x.pow(2).sum(-1)).any()


def test_frame_max_covers_each_stft_frame():
    signal = torch.zeros(1, 1, 1000)
    signal[..., 500] = 1.0
    framed = frame_max(signal, n_fft=128, hop=32)
    assert framed.shape[-1] == 1000 // 32 + 1  # torch.stft's frame count
    hot = torch.nonzero(framed[0, 0]).flatten()
    # frame j covers j*32 - 64 .. j*32 + 63: frames 14 to 17 contain sample 500
    assert hot.tolist() == [14, 15, 16, 17]


def _with_refiner_awake(model):
    """A model whose refiner adds something (its head starts at zero)."""
    if getattr(model, "refiner", None) is not None:
        torch.nn.init.normal_(model.refiner.head.weight, std=0.1)
    return model


def test_receptive_field_bounds_the_reach_of_one_sample(each_small_config):
    """A sample moved by 1 changes nothing further away than ``receptive_field``."""
    torch.manual_seed(0)
    model = _with_refiner_awake(ImpulseAwareDenoiser(each_small_config)).eval()
    x = torch.randn(1, 1, 8192) * 0.1
    moved = x.clone()
    moved[..., 4096] += 1.0
    with torch.inference_mode():
        change = (model(moved).audio - model(x).audio).abs()[0, 0]
    reach = model.receptive_field
    assert reach < 4000
    assert change[: 4096 - reach].max() < 1e-7 and change[4096 + reach + 1:].max() < 1e-7
    # and the bound is not a wild overstatement: something moves in its outer half
    outer = torch.cat([change[4096 - reach: 4096 - reach // 2],
                       change[4096 + reach // 2: 4096 + reach + 1]])
    assert outer.max() > 1e-9


def test_mono_and_stereo_channels_are_restored_alike(each_small_config):
    torch.manual_seed(0)
    model = ImpulseAwareDenoiser(each_small_config).eval()
    x = torch.randn(1, 2, 2000) * 0.1
    with torch.inference_mode():
        stereo = model(x)
        left = model(x[:, :1])
        right = model(x[:, 1:])
    assert stereo.audio.shape == stereo.combined.shape == (1, 2, 2000)
    assert torch.allclose(stereo.audio[:, :1], left.audio, atol=1e-6)
    assert torch.allclose(stereo.audio[:, 1:], right.audio, atol=1e-6)


def test_suppression_follows_the_combined_mask():
    """With the backbone silenced, the output is the input times 1 - c * max_suppression."""
    model = ImpulseAwareDenoiser(DenoiserConfig(sample_rate=8000, backbone="waveunet",
                                                combine="mean", channels=(8,), blocks=1,
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


def test_either_cue_alone_flags_an_impulse_when_combined_by_max(small_config):
    """``combine="max"``: a click the analytical mask is sure of is flagged fully, even
    while the untrained detector still says "no impulse" (its prior, 0.02)."""
    torch.manual_seed(4)
    model = ImpulseAwareDenoiser(small_config).eval()
    x = torch.randn(1, 1, 3000) * 0.02
    x[..., 1500] = 0.9
    with torch.inference_mode():
        out = model(x)
    assert torch.sigmoid(out.detector_logits).median() < 0.05
    assert out.combined[0, 0, 1500] > 0.95 and out.analytical[0, 0, 1500] > 0.95
    assert out.combined.median() < 0.05
    mean = ImpulseAwareDenoiser(DenoiserConfig(**{**small_config.to_dict(),
                                                  "combine": "mean"})).eval()
    mean.load_state_dict(model.state_dict())  # the same detector, combined the other way
    with torch.inference_mode():
        assert mean(x).combined[0, 0, 1500] < 0.6


def test_refiner_starts_at_zero(small_config):
    """Before training the refiner adds nothing: the output is the spectral gain's."""
    model = ImpulseAwareDenoiser(small_config).eval()
    x = torch.randn(1, 1, 3000) * 0.05
    with torch.inference_mode():
        out = model(x)
        suppressed = x * (1 - out.combined * small_config.max_suppression)
        gained = model.spectral(suppressed, out.combined)
    assert torch.allclose(out.audio, gained, atol=1e-7)


def test_config_round_trips_and_refuses_nonsense(small_config):
    config = DenoiserConfig(channels=[8, 16], dilations=[1, 4])
    assert DenoiserConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ModelError, match="max_suppression"):
        DenoiserConfig(max_suppression=1.5)
    with pytest.raises(ModelError, match="backbone"):
        DenoiserConfig(backbone="transformer")
    with pytest.raises(ModelError, match="combine"):
        DenoiserConfig(combine="product")
    with pytest.raises(ModelError, match="unknown keys"):
        DenoiserConfig.from_dict({"layers": 3})
    with pytest.raises(ModelError, match="batch, channels, frames"):
        ImpulseAwareDenoiser(small_config)(torch.zeros(10))
    with pytest.raises(ModelError, match="odd level_frames"):
        SpectralMaskNet(level_frames=8)
    with pytest.raises(ModelError, match="dilations of at least 1"):
        DenoiserConfig(dilations=(0,))


def test_unknown_upsampling_is_refused():
    with pytest.raises(ModelError, match="upsample"):
        WaveUNet(1, 1, upsample="pixelshuffle")
