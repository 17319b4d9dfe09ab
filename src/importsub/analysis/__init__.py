"""Pure analyses on a compiled :class:`~importsub.compile.network.Network`.

Every analysis returns a :class:`~importsub.analysis.result.Result` (named
polars tables with units in the column names, plus the inputs' fingerprint).

``balance``, ``concentration``, ``localisation`` and ``matching`` are both a module
and its main analysis: ``importsub.analysis.localisation`` is always the module
(``importsub.analysis.localisation.coverage``), and calling it runs the analysis
(``importsub.analysis.localisation(net)``, the same as ``importsub.localisation(net)``).
"""

from __future__ import annotations

import polars as pl

from importsub.analysis import balance, concentration, localisation, matching
from importsub.analysis.balance import balance_years
from importsub.analysis.demand import derived_demand, gross_output
from importsub.analysis.localisation import coverage, domestic_content
from importsub.analysis.matching import haversine_km
from importsub.analysis.result import Result
from importsub.callable_module import make_callable
from importsub.model.dataset import Dataset

# a module named after its main analysis is that analysis when called (no shadowing)
for _module in (balance, concentration, localisation, matching):
    make_callable(_module.__name__, getattr(_module, _module.__name__.rsplit(".", 1)[1]))


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


def demo_programme(ds: Dataset, year: int | None = None) -> dict[str, pl.DataFrame]:
    """The programme's story on a dataset, printed by ``importsub demo`` after its summary.

    * ``programme: n of N public`` — every project with its host site, status and capacity online in
      ``year`` [units/yr] (default: the current year), N from the dataset's ``programme`` record;
    * ``named scenarios`` — one line per named shock (:func:`importsub.analysis.projects.named_shocks`;
      what each represents is its ``description``) with its year (the scenario's own) and its loss without projects: the performance impact
      [RUB] of the TTR model over the scenario's window (lost margin beyond the same window without
      the shock, as ``importsub shock run`` reports it; the terminal shows it scaled, ``[bn RUB]``).
    """
    import datetime as dt

    from importsub.analysis.programme import programme_size_of, project_list
    from importsub.analysis.projects import named_shocks, resolve_year, scenario_loss, without_projects

    year = dt.date.today().year if year is None else year
    listing = project_list(ds, None, year)["projects"]
    online = f"online {year} [units/yr]"
    n = ds.projects.height
    size = max(programme_size_of(ds) or n, n)
    projects = listing.select("project", "host site", "status", online).with_columns(
        pl.col("host site").fill_null("none announced")
    )
    plain = without_projects(ds)
    rows = []
    for name in named_shocks(ds):
        y = resolve_year(ds, name, None)
        _, pi = scenario_loss(plain, name, y)
        rows.append((name, y, pi))
    scenarios = pl.DataFrame(
        rows,
        schema={
            "scenario": pl.String,
            "year": pl.Int64,
            "performance impact [RUB]": pl.Float64,
        },
        orient="row",
    )
    return {f"programme: {n} of {size} public": projects, "named scenarios": scenarios}
