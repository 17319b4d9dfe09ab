"""The built-in analysis kinds: the dataset summary and the analyses of a compiled network.

``summary`` counts records; ``demand``, ``localisation``, ``concentration``,
``balance`` and ``matching`` compile the dataset (with a scenario's demand
changes and a year when asked) and call the library function of that name,
as the CLI does.  Next to each kind: what its result tables reveal, and
whose figure each column is (see :func:`importsub.web.confidentiality.mask_result`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel

from importsub.analysis.balance import balance
from importsub.analysis.concentration import concentration
from importsub.analysis.demand import derived_demand
from importsub.analysis.localisation import localisation
from importsub.analysis.matching import matching
from importsub.compile import compile as compile_network
from importsub.model.dataset import Dataset
from importsub.web.i18n import N_
from importsub.web.services.analyses import (
    Analyses,
    AnalysisSpec,
    LocalisationParams,
    NetworkParams,
    NoParams,
    ProgressFn,
    ResultTables,
)
from importsub.web.services.params import param


def _summary(ds: Dataset, params: BaseModel, progress: ProgressFn) -> ResultTables:
    """Record counts, vehicles per OEM and supply links by supplier country (counts, not shares)."""
    counts = pl.DataFrame({"table": list(ds.counts()), "records": list(ds.counts().values())})
    orgs = ds.organizations.select(pl.col("id").alias("organization"), pl.col("name").alias("organization name"))
    sites = ds.sites.select(pl.col("id").alias("site"), "organization", "country")
    demand = (
        ds.demand.join(sites, on="site", how="left")
        .group_by("organization", "year")
        .agg(pl.col("units").sum().alias("vehicles [units/yr]"))
        .join(orgs, on="organization", how="left")
        .select("organization", "organization name", "year", "vehicles [units/yr]")
        .sort("year", "vehicles [units/yr]", "organization", descending=[False, True, False])
    )
    progress(0.5, None)
    union = ds.country_groups.filter(pl.col("group") == "union")["iso2"].to_list()
    links = (
        ds.supply_links.join(
            sites.select(pl.col("site").alias("supplier"), pl.col("country").alias("supplier country")),
            on="supplier",
            how="left",
        )
        .group_by("supplier country")
        .agg(pl.len().cast(pl.Int64).alias("links"))
        .with_columns(pl.col("supplier country").is_in(union).alias("in union"))
        .sort("links", "supplier country", descending=[True, False])
    )
    total = max(int(links["links"].sum() or 0), 1)
    links = links.with_columns((100.0 * pl.col("links") / total).alias("links [%]"))
    return ResultTables(
        "summary",
        {"counts": counts, "vehicles": demand, "supplier countries": links},
        {"dataset fingerprint": ds.fingerprint()},
    )


def _network(ds: Dataset, params: BaseModel) -> Any:
    p = params.model_dump()
    return compile_network(ds, scenario=p.get("scenario"), year=p.get("year"))


_NETWORK_ANALYSES: dict[str, tuple[Callable[..., Any], str, type[BaseModel]]] = {
    # kind: (function, title, parameters)
    "demand": (derived_demand, N_("Derived demand"), NetworkParams),
    "localisation": (localisation, N_("Localisation (import content)"), LocalisationParams),
    "concentration": (concentration, N_("Concentration and choke points"), LocalisationParams),
    "balance": (balance, N_("Demand–capacity balance"), LocalisationParams),
    "matching": (matching, N_("Substitution matching"), LocalisationParams),
}


class ComplianceParams(LocalisationParams):
    """Parameters of the statutory-localisation analysis."""

    regime: Literal["pp719", "cis2009", "eaeu105", "assembly", "all"] = param(
        "all",
        label=N_("Regime"),
        help=N_("Which statutory localisation rules are checked"),
        choices={
            "pp719": N_("Decree 719 points"),
            "cis2009": N_("CIS 2009 rules of origin"),
            "eaeu105": N_("EAEU Decision 105 operations"),
            "assembly": N_("Industrial-assembly share"),
            "all": N_("All regimes"),
        },
    )
    purpose: str | None = param(
        None,
        label=N_("Purpose"),
        help=N_("Only thresholds of this purpose (default: every purpose of the rule)"),
        max_length=200,
    )


def _compliance(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
    """Decree 719 points, CIS 2009 origin, EAEU 105 operations and the assembly share, as the CLI computes them."""
    from importsub.analysis.compliance import compliance_of

    p = params.model_dump()
    progress(0.1, None)
    return compliance_of(
        ds, p["year"], regime=p["regime"], purpose=p["purpose"], group=p["group"], scenario=p["scenario"]
    )


def register_all(analyses: Analyses) -> None:
    """Register ``summary`` and the network analyses (called by :func:`importsub.web.services.catalogue.build_analyses`)."""
    analyses.register(AnalysisSpec("summary", N_("Dataset summary"), NoParams, _summary))
    for kind, (func, title, params) in _NETWORK_ANALYSES.items():
        analyses.register(
            AnalysisSpec(
                kind,
                title,
                params,
                _network_runner(func, params),
            )
        )
    analyses.register(AnalysisSpec("compliance", N_("Statutory localisation"), ComplianceParams, _compliance))


def _network_runner(
    func: Callable[..., Any], params_model: type[BaseModel]
) -> Callable[[Dataset, BaseModel, ProgressFn], Any]:
    def run(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
        net = _network(ds, params)
        progress(0.5, None)
        extra = {"group": params.group} if "group" in params_model.model_fields else {}  # type: ignore[attr-defined]
        return func(net, **extra)

    return run
