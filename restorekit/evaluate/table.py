"""``Table``: a small tidy table of benchmark rows, with no pandas needed.

One row is one observation (a method on a case under a metric), as a dict of plain
Python values. A table filters, pivots (mean over the rows each cell gathers), and
writes Markdown for reports and CSV for everything else. ``pandas.DataFrame(table.rows)``
gives a DataFrame where pandas is installed.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from restorekit.errors import ParameterError

__all__ = ["Table"]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _mean(values: Sequence[Any]) -> float:
    """Mean of the numbers among ``values``, NaN when there are none."""
    numbers = [float(v) for v in values if isinstance(v, (int, float)) and not _is_missing(v)]
    return math.fsum(numbers) / len(numbers) if numbers else math.nan


class Table:
    """Rows sharing one set of columns.

    Parameters
    ----------
    rows : iterable of mapping
        The observations. Keys missing from a row read as ``None``.
    columns : sequence of str, optional
        Column order; by default the keys in the order they first appear.

    Examples
    --------
    >>> t = Table([{"method": "a", "metric": "snr", "after": 1.0},
    ...            {"method": "a", "metric": "snr", "after": 3.0}])
    >>> t.pivot(value="after").rows
    [{'method': 'a', 'snr': 2.0}]
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]] = (), *,
                 columns: Sequence[str] | None = None):
        self.rows: list[dict[str, Any]] = [dict(r) for r in rows]
        if columns is None:
            seen: dict[str, None] = {}
            for row in self.rows:
                seen.update(dict.fromkeys(row))
            columns = list(seen)
        self.columns: tuple[str, ...] = tuple(columns)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __repr__(self) -> str:
        return f"Table({len(self)} rows, columns={list(self.columns)})"

    def column(self, name: str) -> list[Any]:
        """Every row's value of ``name``."""
        self._check_column(name)
        return [row.get(name) for row in self.rows]

    def unique(self, name: str) -> list[Any]:
        """The distinct values of column ``name``, in the order they first appear."""
        return list(dict.fromkeys(self.column(name)))

    def filter(self, where: Callable[[dict[str, Any]], bool] | None = None,
               **equals: Any) -> Table:
        """The rows where every ``column=value`` holds and ``where(row)`` is true.

        A value may be a list, tuple or set, meaning any of them:
        ``table.filter(metric=("snr", "si_sdr"), method="identity")``.
        """
        for name in equals:
            self._check_column(name)

        def keep(row: dict[str, Any]) -> bool:
            for name, wanted in equals.items():
                value = row.get(name)
                if isinstance(wanted, (list, tuple, set, frozenset)):
                    if value not in wanted:
                        return False
                elif value != wanted:
                    return False
            return where is None or bool(where(row))

        return Table([r for r in self.rows if keep(r)], columns=self.columns)

    def pivot(self, *, index: str = "method", columns: str = "metric", value: str = "after",
              aggregate: Callable[[Sequence[Any]], Any] = _mean) -> Table:
        """A wide summary: one row per ``index`` value, one column per ``columns`` value.

        Each cell is ``aggregate`` (by default the mean, NaN ignored) of ``value`` over
        the rows with that pair; e.g. the default gives each method's mean score per
        metric over the cases. Rows and columns keep the order they first appear in.
        """
        for name in (index, columns, value):
            self._check_column(name)
        cells: dict[Any, dict[Any, list[Any]]] = {}
        heads: dict[Any, None] = {}
        for row in self.rows:
            heads[row.get(columns)] = None
            cells.setdefault(row.get(index), {}).setdefault(row.get(columns), []).append(
                row.get(value))
        names = [str(h) for h in heads]
        if index in names:
            raise ParameterError(f"pivot: a {columns} value is called {index!r}, the same as "
                                 "the index column; rename one.")
        out = []
        for key, by_head in cells.items():
            out.append({index: key, **{str(h): (aggregate(by_head[h]) if h in by_head
                                                else math.nan) for h in heads}})
        return Table(out, columns=[index, *names])

    def to_markdown(self, *, pivot: bool = False, value: str = "delta", digits: int = 2,
                    **pivot_options: Any) -> str:
        """The table as a GitHub-flavoured Markdown table.

        Parameters
        ----------
        pivot : bool
            Show :meth:`pivot` of ``value`` (``pivot_options`` passed on) instead of the
            rows themselves.
        value : str
            Column summarised when pivoting.
        digits : int
            Decimals shown for floats; NaN shows as ``n/a``.
        """
        table = self.pivot(value=value, **pivot_options) if pivot else self
        if not table.columns:
            return ""
        body = [[_format(row.get(c), digits) for c in table.columns] for row in table.rows]
        numeric = [all(isinstance(row.get(c), (int, float)) and not isinstance(row.get(c), bool)
                       for row in table.rows if row.get(c) is not None)
                   and any(row.get(c) is not None for row in table.rows)
                   for c in table.columns]
        widths = [max([len(c), 3, *(len(line[i]) for line in body)])
                  for i, c in enumerate(table.columns)]

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(
                cell.rjust(w) if right else cell.ljust(w)
                for cell, w, right in zip(cells, widths, numeric, strict=True)) + " |"

        rule = "| " + " | ".join(("-" * (w - 1) + ":") if right else "-" * w
                                 for w, right in zip(widths, numeric, strict=True)) + " |"
        return "\n".join([line(table.columns), rule, *(line(cells) for cells in body)])

    def to_csv(self, path: str | os.PathLike) -> None:
        """Write the rows to ``path`` as CSV (a header line, then one line per row).

        Floats are written with ``repr`` precision, NaN as ``nan``, ``None`` as empty.
        """
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns)
            for row in self.rows:
                writer.writerow(["" if row.get(c) is None else row.get(c)
                                 for c in self.columns])

    def _check_column(self, name: str) -> None:
        if name not in self.columns:
            raise ParameterError(f"the table has no column {name!r}; its columns are "
                                 f"{', '.join(self.columns)}.")


def _format(value: Any, digits: int) -> str:
    if _is_missing(value):
        return "n/a" if value is not None else ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value).replace("|", "\\|").replace("\n", " ")
