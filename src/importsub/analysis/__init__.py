"""Pure analyses on a compiled :class:`~importsub.compile.network.Network`.

Every analysis returns a :class:`~importsub.analysis.result.Result` (named
polars tables with units in the column names, plus the inputs' fingerprint).
"""

from __future__ import annotations

import polars as pl

from importsub.analysis.balance import balance, balance_years
from importsub.analysis.concentration import concentration
from importsub.analysis.demand import derived_demand, gross_output
from importsub.analysis.localisation import coverage, domestic_content, localisation
from importsub.analysis.matching import haversine_km, matching
from importsub.analysis.result import Result
from importsub.model.dataset import Dataset


def demo_headline(ds: Dataset, group: str = "union", top: int = 5, year: int | None = None) -> dict[str, pl.DataFrame]:
    """Headline of ``importsub demo``: import content of each OEM's vehicles
    (known imports, the maximum if every untraced value were imported, and
    coverage) and the ``top`` largest imported-value entry points, for
    ``year`` (default: :func:`importsub.compile.default_year`, the one rule
    the CLI and the web use too)."""
    from importsub.analysis.localisation import headline
    from importsub.compile import compile

    return headline(compile(ds, year=year), group, top)


__all__ = [
    "Result",
    "balance",
    "balance_years",
    "concentration",
    "coverage",
    "demo_headline",
    "derived_demand",
    "domestic_content",
    "gross_output",
    "haversine_km",
    "localisation",
    "matching",
]
