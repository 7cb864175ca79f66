import numpy as np
import pytest
import torch

from restorekit.errors import ParameterError
from restorekit.train.dataset import AudioRestorationDataset


def test_items_are_pairs_with_an_impulse_mask(clean_dir):
    ds = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.5, length=4)
    degraded, clean, mask = ds[0]
    assert degraded.shape == clean.shape == mask.shape == (1, 4000)
    assert degraded.dtype == torch.float32
    assert set(np.unique(mask.numpy())) <= {0.0, 1.0} and mask.sum() > 0
    # the damage is where the mask says the impulses are, and more than the hiss
    err = (degraded - clean).abs()[0]
    assert err[mask[0] > 0].max() > 3 * err[mask[0] == 0].median()


def test_items_depend_only_on_seed_epoch_and_index(clean_dir):
    a = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.5, length=4)
    b = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.5, length=4)
    for x, y in zip(a[2], b[2], strict=True):
        assert torch.equal(x, y)
    list(a[i] for i in range(4))  # drawing others in between changes nothing
    assert torch.equal(a[2][0], b[2][0])
    a.set_epoch(1)
    assert not torch.equal(a[2][0], b[2][0])


@pytest.mark.filterwarnings("ignore:This DataLoader will create:UserWarning")
def test_dataloader_workers_give_the_same_batches(clean_dir):
    ds = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.25, length=4)
    plain = [b[0] for b in torch.utils.data.DataLoader(ds, batch_size=2)]
    workers = [b[0] for b in torch.utils.data.DataLoader(ds, batch_size=2, num_workers=2)]
    assert all(torch.equal(p, w) for p, w in zip(plain, workers, strict=True))


def test_held_out_sources_are_not_in_training(clean_dir):
    train = AudioRestorationDataset(clean_dir, sample_rate=8000, length=2)
    held = AudioRestorationDataset(clean_dir, sample_rate=8000, length=2, split="heldout")
    assert [n for n, _ in train.sources] == ["music", "voice"]
    assert [n for n, _ in held.sources] == ["slow"]


def test_clean_pairs_without_artifacts(clean_dir):
    ds = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.5, length=2,
                                 add_artifacts=False)
    degraded, clean, mask = ds[1]
    assert torch.equal(degraded, clean) and mask.sum() == 0


def test_gain_is_drawn_within_its_range(clean_dir):
    ds = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.5, length=16,
                                 add_artifacts=False, gain_db=(-12.0, -6.0))
    peaks = [20 * np.log10(ds[i][1].abs().max().item()) for i in range(16)]
    assert -12.01 <= min(peaks) and max(peaks) <= -5.99


@pytest.mark.parametrize("bad", [{"chunk_duration": 0.0}, {"sample_rate": 10},
                                 {"gain_db": (0.0, -6.0)}, {"chunk_duration": 50.0}])
def test_absurd_parameters_are_refused(clean_dir, bad):
    with pytest.raises(ParameterError):
        AudioRestorationDataset(clean_dir, **bad)


def test_clean_fraction_leaves_that_share_undamaged(clean_dir):
    ds = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.25,
                                 length=40, clean_fraction=0.5)
    undamaged = [torch.equal(d, c) for d, c, _ in (ds[i] for i in range(40))]
    assert 10 <= sum(undamaged) <= 30
    none = AudioRestorationDataset(clean_dir, sample_rate=8000, chunk_duration=0.25,
                                   length=8, clean_fraction=1.0)
    assert all(m.sum() == 0 and torch.equal(d, c) for d, c, m in (none[i] for i in range(8)))
