import numpy as np
import pytest

from restorekit.dsp import amplitude_to_db, db_to_amplitude
from restorekit.errors import ParameterError


def test_known_values():
    assert amplitude_to_db(1.0) == 0.0
    assert amplitude_to_db(10.0) == pytest.approx(20.0)
    assert amplitude_to_db(0.5) == pytest.approx(-6.0206, abs=1e-4)
    assert amplitude_to_db(-0.5) == amplitude_to_db(0.5)  # the sign is ignored
    assert db_to_amplitude(-20.0) == pytest.approx(0.1)
    assert db_to_amplitude(-np.inf) == 0.0


def test_zero_and_quieter_read_the_floor():
    assert amplitude_to_db(0.0) == -300.0
    assert amplitude_to_db(1e-20, floor_db=-120.0) == -120.0
    assert amplitude_to_db(0.0, floor_db=-np.inf) == -np.inf


def test_arrays_keep_their_shape_and_round_trip(rng):
    x = rng.uniform(1e-6, 2.0, size=(2, 50))
    db = amplitude_to_db(x)
    assert isinstance(db, np.ndarray) and db.shape == x.shape
    np.testing.assert_allclose(db_to_amplitude(db), x, rtol=1e-12)
    assert isinstance(amplitude_to_db(0.5), float)
    assert isinstance(db_to_amplitude(-6.0), float)


def test_bad_floor_is_refused():
    with pytest.raises(ParameterError, match="floor_db"):
        amplitude_to_db(1.0, floor_db=float("nan"))
