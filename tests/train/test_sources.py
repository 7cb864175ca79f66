import pytest

from restorekit.errors import ParameterError
from restorekit.train.sources import find_sources, load_sources


def test_heldout_folder_decides_the_split(clean_dir):
    sources = find_sources([clean_dir])
    assert {s.name: s.held_out for s in sources} == {"music": False, "voice": False,
                                                    "slow": True}


def test_hash_split_is_stable_for_a_plain_folder(tmp_path, clean_dir):
    import shutil

    for name in ("music.flac", "voice.wav"):
        shutil.copy(clean_dir / name, tmp_path / name)
    first = find_sources([tmp_path])
    assert first == find_sources([tmp_path])


def test_load_gives_mono_at_the_asked_rate(clean_dir):
    loaded = load_sources(find_sources([clean_dir]), sample_rate=16000, split="heldout")
    [(name, samples)] = loaded
    assert name == "slow" and samples.ndim == 1 and abs(samples.size - 48000) < 10


def test_missing_or_empty_folders_are_clear_errors(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        find_sources([tmp_path / "nope"])
    with pytest.raises(ParameterError, match="no audio"):
        find_sources([tmp_path])
