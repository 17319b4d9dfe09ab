"""Statutory localisation: the legal yardsticks beside value added (``importsub analyze compliance``).

Four regimes, each with its rules as the user's data (``rules``, ``rule_items``, ``rule_thresholds``, with
effective dates) and judged on 1 January of a year:

* ``pp719`` — Russia's Decree 719 points per vehicle model against a threshold by purpose and year
  (:mod:`~importsub.analysis.compliance.pp719`);
* ``cis2009`` — CIS 2009 origin: ≤ 50 % foreign materials or a change of tariff heading, a yes/no roll-up
  through the tiers (:mod:`~importsub.analysis.compliance.cis2009`);
* ``eaeu105`` — EAEU Decision 105: required operations, with points (:mod:`~importsub.analysis.compliance.eaeu105`);
* ``assembly`` — industrial assembly: 1 − imported kit value ÷ standard kit value
  (:mod:`~importsub.analysis.compliance.assembly`).

Tables: ``models`` (one row per model, regime and purpose for the year), ``by year`` (the same verdicts for
every year judged), ``first breach`` (the first year a model fails as thresholds rise, rules change, registry entries expire and projects ramp up), ``items`` (what
earns each point; which inputs fail origin, tier by tier), ``next steps`` and ``expiring`` (registry entries
running out within the year, and the points each model would lose).  ``domestic content [%]`` (value added, the
domestic content of :func:`importsub.analysis.localisation.domestic_content`) stays beside every verdict.
The sentences (``note``, ``reason``) are English in the files; ``note id``/``note args`` and ``reason id``/
``reason args`` hold them as messages (:mod:`importsub.model.messages`) that pages render in Russian.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from importsub.analysis.compliance.calendar import expiring
from importsub.analysis.compliance.common import Context
from importsub.analysis.compliance.evaluate import evaluate
from importsub.analysis.compliance.steps import next_steps
from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.result import Result, fingerprint
from importsub.compile.network import Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from importsub.model.schema import REGIMES

MODEL_COLUMNS = (
    "site", "part", "part name", "regime", "rule", "year", "purpose",
    "score [points]", "threshold [points]", "margin [points]",
    "foreign share [%]", "limit [%]", "heading change",
    "assembly share [%]", "target [%]", "margin [pp]",
    "pass", "domestic content [%]", "note", "note id", "note args",
)  # fmt: skip
ITEM_COLUMNS = (
    "site", "part", "part name", "regime", "rule", "year", "item", "kind", "code", "tier", "required", "met",
    "share [%]", "points [points]", "earned [points]", "reason", "reason id", "reason args",
)  # fmt: skip
BREACH_COLUMNS = (
    "site", "part", "part name", "regime", "purpose", "first breach [year]", "score [points]",
    "threshold [points]", "margin [points]", "margin [pp]", "checked to [year]",
)  # fmt: skip
YEAR_COLUMNS = (
    "site", "part", "part name", "regime", "rule", "purpose", "year", "score [points]", "threshold [points]",
    "foreign share [%]", "limit [%]", "assembly share [%]", "target [%]", "margin [points]", "margin [pp]", "pass",
)  # fmt: skip
EXPIRING_COLUMNS = (
    "registry number", "product", "organization", "valid until", "site", "part", "part name", "regime",
    "points lost [points]",
)  # fmt: skip
STEP_COLUMNS = (
    "site", "part", "part name", "regime", "year", "item", "kind", "code", "route", "project", "candidate site",
    "points gain [points]", "capex [RUB]", "points per capex [points/mln RUB]", "note", "note id", "note args",
)  # fmt: skip
_TYPES: dict[str, Any] = {
    "year": pl.Int64, "tier": pl.Int64, "first breach [year]": pl.Int64, "checked to [year]": pl.Int64,
    "heading change": pl.Boolean, "pass": pl.Boolean, "required": pl.Boolean, "met": pl.Boolean,
    "valid until": pl.Date,
}  # fmt: skip
_TEXT = {
    "site", "part", "part name", "regime", "rule", "purpose", "note", "item", "kind", "code", "reason", "route",
    "project", "candidate site", "registry number", "product", "organization",
    "note id", "note args", "reason id", "reason args",
}  # fmt: skip


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pl.DataFrame:
    schema = {c: _TYPES.get(c, pl.String if c in _TEXT else pl.Float64) for c in columns}
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=schema, orient="row")


def regimes_of(regime: str) -> tuple[str, ...]:
    """``all`` or one regime name, checked."""
    if regime == "all":
        return REGIMES
    if regime not in REGIMES:
        raise AnalysisError(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}, all")
    return (regime,)


def _breaches(per_year: Mapping[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    last = max(per_year) if per_year else None
    for y in sorted(per_year):
        for r in per_year[y]:
            key = (r["site"], r["part"], r["regime"], r.get("purpose"))
            row = out.setdefault(
                key,
                {"site": r["site"], "part": r["part"], "part name": r["part name"], "regime": r["regime"],
                 "purpose": r.get("purpose"), "first breach [year]": None, "checked to [year]": last},
            )  # fmt: skip
            if row["first breach [year]"] is None and r.get("pass") is False:
                row["first breach [year]"] = y
                for c in ("score [points]", "threshold [points]", "margin [points]", "margin [pp]"):
                    row[c] = r.get(c)
    return list(out.values())


def compliance(
    nets: Mapping[int, Network],
    year: int,
    *,
    regime: str = "all",
    purpose: str | None = None,
    group: str = DEFAULT_GROUP,
    projects: pl.DataFrame | None = None,
    project_outputs: pl.DataFrame | None = None,
) -> Result:
    """Statutory localisation of every final product for ``year``, and the first breach over ``nets``' years.

    Parameters
    ----------
    nets : mapping of year to Network
        The network to judge each year with (:func:`networks_for_years`); must hold ``year``.  Years
        before ``year`` are ignored.
    regime : str
        ``pp719``, ``cis2009``, ``eaeu105``, ``assembly`` or ``all``.
    purpose : str, optional
        Only thresholds of this purpose (default: every purpose the rule has).
    group : str
        Country group whose producers count as domestic (made in Russia/the EAEU for the rules).
    projects, project_outputs : DataFrame, optional
        The dataset's projects and their outputs, for ``next steps`` (capex).

    Returns
    -------
    Result
        ``models``, ``first breach``, ``by year``, ``items``, ``next steps``, ``expiring`` (see the module
        docstring).
    """
    if year not in nets:
        raise AnalysisError(f"no network for year {year}; years: {', '.join(map(str, sorted(nets)))}")
    asked = regimes_of(regime)
    per_year: dict[int, list[dict[str, Any]]] = {}
    models: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    ctx = Context(nets[year], year, group)
    for y in sorted(y for y in nets if y >= year):
        c = ctx if y == year else Context(nets[y], y, group)
        m, i = evaluate(c, asked, purpose)
        per_year[y] = m
        if y == year:
            models, items = m, i
    steps = next_steps(
        ctx,
        items,
        projects if projects is not None else pl.DataFrame(),
        project_outputs if project_outputs is not None else pl.DataFrame(),
    )
    steps.sort(
        key=lambda r: (
            r["site"],
            r["part"],
            -(r["points per capex [points/mln RUB]"] or -1.0),
            -r["points gain [points]"],
        )
    )
    tables = {
        "models": _frame(models, MODEL_COLUMNS),
        "first breach": _frame(_breaches(per_year), BREACH_COLUMNS),
        "by year": _frame([r for y in sorted(per_year) for r in per_year[y]], YEAR_COLUMNS),
        "items": _frame(items, ITEM_COLUMNS),
        "next steps": _frame(steps, STEP_COLUMNS),
        "expiring": _frame(expiring(ctx, asked), EXPIRING_COLUMNS),
    }
    params = {"regime": regime, "purpose": purpose, "group": group, "years": sorted(per_year)}
    return Result("compliance", tables, fingerprint(nets[year], **params))


def horizon(ds: Dataset, year: int, until: int | None = None) -> list[int]:
    """Years to judge: ``year`` and every later year that has a threshold or a rule change, up to ``until``
    (default: the last such year)."""
    marks = set(ds.rule_thresholds.get_column("year").to_list())
    marks |= {d.year for d in ds.rules.get_column("effective_from").to_list() if d is not None}
    marks |= {d.year + 1 for d in ds.registry_entries.get_column("valid_until").to_list() if d is not None}
    top = until if until is not None else max([year, *marks])
    return sorted({year} | {y for y in marks if year < y <= top})


def networks_for_years(
    ds: Dataset, years: Iterable[int], scenario: str | None = None, projects: list[str] | None = None
) -> dict[int, Network]:
    """One network per year: compiled for the year itself when it has demand (so projects ramp up), else
    for the latest year with demand before it (else the earliest); compiled once per demand year."""
    from importsub.compile import compile, demand_years

    have = sorted(demand_years(ds))
    if not have:
        raise AnalysisError(f"dataset {ds.name!r} has no demand")
    cache: dict[int, Network] = {}
    out: dict[int, Network] = {}
    for y in years:
        before = [d for d in have if d <= y]
        dy = before[-1] if before else have[0]
        if dy not in cache:
            cache[dy] = compile(ds, scenario, dy, projects=projects)
        out[y] = cache[dy]
    return out


def compliance_of(
    ds: Dataset,
    year: int | None = None,
    *,
    regime: str = "all",
    purpose: str | None = None,
    group: str = DEFAULT_GROUP,
    scenario: str | None = None,
    until: int | None = None,
) -> Result:
    """:func:`compliance` of a dataset: ``year`` (default: :func:`importsub.compile.default_year`) and the
    years of :func:`horizon`."""
    from importsub.compile import default_year

    y = year if year is not None else default_year(ds)
    if y is None:
        raise AnalysisError(f"dataset {ds.name!r} has no demand: give a year")
    nets = networks_for_years(ds, horizon(ds, y, until), scenario)
    return compliance(
        nets, y, regime=regime, purpose=purpose, group=group, projects=ds.projects, project_outputs=ds.project_outputs
    )


__all__ = ["compliance", "compliance_of", "horizon", "networks_for_years", "regimes_of"]
