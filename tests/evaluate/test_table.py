import csv
import math

import pytest

from restorekit.errors import ParameterError
from restorekit.evaluate import Table

ROWS = [
    {"method": "a", "case": "c1", "metric": "snr", "after": 1.0},
    {"method": "a", "case": "c2", "metric": "snr", "after": 3.0},
    {"method": "a", "case": "c1", "metric": "lsd", "after": math.nan},
    {"method": "b", "case": "c1", "metric": "snr", "after": 5.0},
]


def test_filter_and_pivot():
    table = Table(ROWS)
    assert len(table.filter(method="a")) == 3
    assert len(table.filter(metric=("snr", "lsd"), where=lambda r: r["case"] == "c1")) == 3
    wide = table.pivot(value="after")
    assert wide.columns == ("method", "snr", "lsd")
    assert wide.rows[0]["snr"] == 2.0 and math.isnan(wide.rows[0]["lsd"])
    assert math.isnan(wide.rows[1]["lsd"])              # b never scored lsd
    with pytest.raises(ParameterError, match="no column"):
        table.filter(colour="red")


def test_markdown_and_csv(tmp_path):
    table = Table(ROWS)
    text = table.to_markdown(pivot=True, value="after", digits=1)
    lines = text.splitlines()
    assert lines[0].split("|")[1].strip() == "method"
    assert "2.0" in lines[2] and "n/a" in lines[2]
    path = tmp_path / "t.csv"
    table.to_csv(path)
    with open(path, newline="") as handle:
        read = list(csv.DictReader(handle))
    assert [r["after"] for r in read] == ["1.0", "3.0", "nan", "5.0"]
