import json

import numpy as np
import pytest

from restorekit.degrade import load_truth, save_truth, simulate_vinyl_artifacts
from restorekit.degrade.truth_io import _jsonable
from restorekit.errors import AudioFormatError, ParameterError


def test_round_trip_keeps_everything(tmp_path, stereo_music):
    d = simulate_vinyl_artifacts(stereo_music, rng=np.random.default_rng(4), hum_level_db=-50)
    path = save_truth(d.truth, tmp_path / "truth.json")
    assert (tmp_path / "truth.npz").is_file()
    back = load_truth(path)
    for a, b in zip(d.truth.walk(), back.walk(), strict=True):
        assert (a.name, a.applied) == (b.name, b.applied)
        assert json.loads(json.dumps(_jsonable(a.params))) == b.params
        assert a.rng_state == b.rng_state
        assert a.events.keys() == b.events.keys()
        for key in a.events:
            np.testing.assert_array_equal(a.events[key], b.events[key])
        if a.added is None:
            assert b.added is None
        else:
            np.testing.assert_array_equal(a.added, b.added)


def test_refuses_to_overwrite_and_reports_bad_files(tmp_path, stereo_music):
    d = simulate_vinyl_artifacts(stereo_music.slice(0, 0.5), rng=np.random.default_rng(0))
    path = save_truth(d.truth, tmp_path / "t.json")
    with pytest.raises(ParameterError, match="already exists"):
        save_truth(d.truth, path)
    save_truth(d.truth, path, overwrite=True)
    with pytest.raises(ParameterError, match=".json"):
        save_truth(d.truth, tmp_path / "t.txt")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(AudioFormatError, match="bad.json"):
        load_truth(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    with pytest.raises(AudioFormatError, match="not a restorekit truth"):
        load_truth(tmp_path / "other.json")
    (tmp_path / "t.npz").unlink()
    with pytest.raises(AudioFormatError, match="missing"):
        load_truth(path)
