"""The shared parameter checks: the value back in the wanted type, or one clear sentence."""

import numpy as np
import pytest

from restorekit.checks import check_integer, check_number, check_probability, check_range
from restorekit.errors import ParameterError


def test_check_number():
    assert check_number(np.float32(2.5), name="x", low=0, high=5) == 2.5
    assert isinstance(check_number(3, name="x"), float)
    for bad in (True, "3", None, np.nan, np.inf, -1, 6):
        with pytest.raises(ParameterError, match="x must be"):
            check_number(bad, name="x", low=0, high=5)
    with pytest.raises(ParameterError, match=r"in \(0, 5\]"):
        check_number(0, name="x", low=0, high=5, low_open=True)


def test_check_integer():
    assert check_integer(np.int64(4), name="n", low=1, high=4) == 4
    for bad in (True, 2.0, 0, 5, "2"):
        with pytest.raises(ParameterError, match="n must be a whole number from 1 to 4"):
            check_integer(bad, name="n", low=1, high=4)


def test_check_range():
    assert check_range(3, name="x", low=0, high=5) == (3.0, 3.0)
    assert check_range((1, np.float64(2)), name="x", low=0, high=5) == (1.0, 2.0)
    with pytest.raises(ParameterError, match="x must satisfy"):
        check_range((4, 2), name="x", low=0, high=5)
    for bad in ((1, 2, 3), "ab", (1, np.nan), (True, 2), None):
        with pytest.raises(ParameterError, match="x must be a number or a"):
            check_range(bad, name="x", low=0, high=5)


def test_check_probability():
    assert check_probability(1) == 1.0
    for bad in (1.5, -0.1, True, "0.5"):
        with pytest.raises(ParameterError, match="p must be a probability"):
            check_probability(bad)
