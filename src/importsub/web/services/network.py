"""The built-in analysis kinds: the dataset summary and the analyses of a compiled network.

``summary`` counts records; ``demand``, ``localisation``, ``concentration``,
``balance`` and ``matching`` compile the dataset (with a scenario's demand
changes and a year when asked) and call the library function of that name,
as the CLI does.  Next to each kind: what its result tables reveal, and
whose figure each column is (see :func:`importsub.web.confidentiality.mask_result`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
        .sort("year", "vehicles [units/yr]", descending=[False, True])
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
        .sort("links", descending=True)
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


_NODE_FIGURES = {
    "capacity [units/yr]": "site",
    "utilisation [%]": "site",
    "output [RUB/yr]": "site",
    "value [RUB/unit]": "site",
}

# what each network analysis reveals about confidential figures, and who owns it
_CONFIDENTIAL: dict[str, dict[str, dict[str, str]]] = {
    "demand": {"nodes": _NODE_FIGURES},
    "localisation": {
        "nodes": _NODE_FIGURES,
        "entry points": {
            "units [units/yr]": "buyer",
            "imported value [RUB/yr]": "buyer",
            "share of entering imports [%]": "buyer",
        },
        "paths": {"via this link [% of vehicle value]": "vehicle site"},
        # untraced value follows from the node's output and price: the site's
        "untraced": {
            "untraced share of its value [%]": "site",
            "untraced value [RUB/yr]": "site",
            "share of untraced value [%]": "site",
        },
    },
    "concentration": {
        "buyers": {
            "HHI suppliers [0-1]": "buyer",
            "HHI countries [0-1]": "buyer",
            "imported share [%]": "buyer",
            "in-house share [%]": "buyer",
        },
        "choke points": {"supplied [units/yr]": "supplier", "share of group need [%]": "supplier"},
    },
    # a capacity pool is one site's line: its capacity and what follows from it are that site's
    "balance": {
        "pools": {
            "capacity [units/yr]": "site",
            "parts' own capacity [units/yr]": "site",
            "usable capacity [units/yr]": "site",
            "utilisation [%]": "site",
            "gap [units/yr]": "site",
            "spare [units/yr]": "site",
            "gap [RUB/yr]": "site",
        },
    },
    "matching": {
        "candidates": {
            "spare capacity [units/yr]": "candidate site",
            "current share [%]": "buyer",
            "imported share [%]": "buyer",
            "imported [units/yr]": "buyer",
        },
    },
}
# sums over the group's producers of a part (and what follows from them, given the public demand):
# shown when at least two organisations contribute
_BALANCE_FIGURES = (
    "capacity (existing) [units/yr]",
    "in pools [units/yr]",
    "capacity (projects) [units/yr]",
    "capacity [units/yr]",
    "self-sufficiency [%]",
    "gap [units/yr]",
    "gap [RUB/yr]",
    "export surplus [units/yr]",
    "export surplus [RUB/yr]",
)
_IMPORT_FIGURES = (
    "imported [units/yr]",
    "imported [RUB/yr]",
    "import dependence [%]",
    "HHI import origins [0-1]",
    "main origin",
    "main origin share [%]",
    "spare / imported [%]",
)
_AGGREGATES: dict[str, dict[str, list[tuple[str, tuple[str, ...], str]]]] = {
    "balance": {"parts": [("part", _BALANCE_FIGURES, "producers")]},
    "concentration": {
        "strategic": [
            ("part", ("group spare capacity [units/yr]", "producers with spare capacity"), "producers"),
            ("part", _IMPORT_FIGURES, "buyers"),
        ],
        "choke points": [("part", ("group need [units/yr]",), "buyers")],
    },
    "matching": {
        "parts": [
            ("part", ("same-part spare [units/yr]", "spare / imported [%]"), "producers"),
            ("part", _IMPORT_FIGURES, "buyers"),
        ],
        "no candidate": [("part", _IMPORT_FIGURES, "buyers")],
    },
}

_NETWORK_ANALYSES: dict[str, tuple[Callable[..., Any], str, type[BaseModel]]] = {
    # kind: (function, title, parameters)
    "demand": (derived_demand, N_("Derived demand"), NetworkParams),
    "localisation": (localisation, N_("Localisation (import content)"), LocalisationParams),
    "concentration": (concentration, N_("Concentration and choke points"), LocalisationParams),
    "balance": (balance, N_("Demand–capacity balance"), LocalisationParams),
    "matching": (matching, N_("Substitution matching"), LocalisationParams),
}


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
                confidential=_CONFIDENTIAL.get(kind, {}),
                aggregates=_AGGREGATES.get(kind, {}),
            )
        )


def _network_runner(
    func: Callable[..., Any], params_model: type[BaseModel]
) -> Callable[[Dataset, BaseModel, ProgressFn], Any]:
    def run(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
        net = _network(ds, params)
        progress(0.5, None)
        extra = {"group": params.group} if "group" in params_model.model_fields else {}  # type: ignore[attr-defined]
        return func(net, **extra)

    return run
