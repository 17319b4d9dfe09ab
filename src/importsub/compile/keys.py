"""Record keys → integer positions: the vectorised lookups compile is made of.

Strings become positions through polars enum casts, (site, part) pairs become
integer keys ``site * n_parts + part`` and are found by a hash join; nothing
loops over records.  Every lookup that can fail raises AnalysisError naming
the first offending records (at most :data:`LIST`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from importsub.compile.network import FloatArray, IntArray
from importsub.model.errors import AnalysisError

LIST = 5
"""How many offending records an error message names."""


def names(items: Sequence[str], more: int) -> str:
    """``a, b, c (and 3 more)``."""
    text = ", ".join(items)
    return text + (f" (and {more} more)" if more > 0 else "")


def codes(values: pl.Series, categories: pl.Series, what: str, where: str) -> IntArray:
    """Positions of ``values`` in ``categories`` (unique strings); nulls → -1.

    Raises AnalysisError naming the unknown values.
    """
    dtype = pl.Enum(categories)
    try:
        phys = values.cast(dtype).to_physical()
    except pl.exceptions.InvalidOperationError:
        unknown = values.filter(~values.is_in(categories) & values.is_not_null()).unique(maintain_order=True)
        raise AnalysisError(
            f"{where}: unknown {what} {names([repr(v) for v in unknown.head(LIST)], unknown.len() - LIST)}"
        ) from None
    return phys.cast(pl.Int64).fill_null(-1).to_numpy().astype(np.int64, copy=False)


class KeyIndex:
    """Lookup of integer keys (e.g. ``site * P + part``) to positions (a hash join)."""

    def __init__(self, keys: IntArray) -> None:
        self.keys = keys
        self.frame = pl.DataFrame({"k": keys, "i": np.arange(keys.size, dtype=np.int64)})

    def duplicates(self) -> IntArray:
        """Positions of keys that repeat an earlier key."""
        return np.flatnonzero(
            self.frame.get_column("k").is_duplicated().to_numpy()
            & ~self.frame.get_column("k").is_first_distinct().to_numpy()
        )

    def find(self, query: IntArray) -> IntArray:
        """Position of each query key, -1 when absent."""
        if query.size == 0:
            return np.zeros(0, dtype=np.int64)
        hit = pl.DataFrame({"k": query}).join(self.frame, on="k", how="left", maintain_order="left")
        return hit.get_column("i").fill_null(-1).to_numpy().astype(np.int64, copy=False)


def unique_strings(*series: pl.Series) -> pl.Series:
    """Unique non-null strings in order of first appearance."""
    s = pl.concat([x.cast(pl.String) for x in series]) if series else pl.Series([], dtype=pl.String)
    return s.drop_nulls().unique(maintain_order=True)


def f64(s: pl.Series) -> FloatArray:
    """A column as a writable float64 array."""
    return s.cast(pl.Float64).to_numpy().astype(np.float64, copy=True)


def label(
    sites: pl.Series, parts: pl.Series, node_site: IntArray, node_part: IntArray, i: int | np.integer[Any]
) -> str:
    """``site/part`` of node ``i``."""
    return f"{sites[int(node_site[int(i)])]}/{parts[int(node_part[int(i)])]}"
