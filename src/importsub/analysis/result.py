"""The result of an analysis: named tables (units in the column names) plus the
fingerprint of the inputs that produced them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from importsub.compile.network import Network


@dataclass(frozen=True)
class Result:
    """Tables of one analysis and the fingerprint of its inputs.

    Attributes
    ----------
    name : str
        Analysis name, e.g. ``localisation``.
    tables : dict[str, pl.DataFrame]
        Named tables; every numeric column carries its unit in its name
        (``import content [%]``, ``x [units/yr]``).
    fingerprint : dict
        Dataset name, version and content hash, scenario, year, projects
        (from the network) plus the analysis parameters (group, thresholds).

    Examples
    --------
    >>> import polars as pl
    >>> r = Result("demo", {"t": pl.DataFrame({"x [units/yr]": [1.0]})}, {"group": "union"})
    >>> r["t"].columns, r.names
    (['x [units/yr]'], ('t',))
    """

    name: str
    tables: dict[str, pl.DataFrame]
    fingerprint: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, table: str) -> pl.DataFrame:
        try:
            return self.tables[table]
        except KeyError:
            raise KeyError(f"{self.name} has no table {table!r}; tables: {', '.join(self.tables)}") from None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.tables)

    def to_pandas(self, table: str | None = None) -> Any:
        """One table (or, without ``table``, a dict of every table) as pandas frames (needs pandas)."""
        if table is not None:
            return self[table].to_pandas()
        return {name: df.to_pandas() for name, df in self.tables.items()}

    def select(self, *names: str) -> Result:
        """The same result restricted to some tables (in the given order)."""
        return Result(self.name, {n: self[n] for n in names}, self.fingerprint)


def fingerprint(net: Network, **parameters: Any) -> dict[str, Any]:
    """The network's provenance plus the analysis parameters, as one flat dict."""
    out = dict(net.fingerprint)
    out.update(parameters)
    return out
