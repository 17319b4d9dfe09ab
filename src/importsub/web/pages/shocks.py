"""Pages: the shock builder, shock and Monte Carlo results, and the risk-exposure ranking.

The forms post to ``/analyses/run`` (one background job per request, the
same request on the same data returns the stored job); the results are the
job pages, drawn by :func:`result_view` from the masked result tables.
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from importsub.model.dataset import Dataset
from importsub.store import accounts
from importsub.web import jobs
from importsub.web.deps import (
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    ViewerDep,
)
from importsub.web.i18n import gettext as _
from importsub.web.routes.analyses import visible_result
from importsub.web.routes.pages_dashboard import pick_dataset
from importsub.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])

SHOCK_KINDS = ("shock", "sweep", "montecarlo")
MAX_OPTIONS = 2000
"""Targets offered per kind in the builder's suggestion lists (any other can be typed)."""


def _options(ds: Dataset) -> dict[str, list[dict[str, str]]]:
    """Suggestions for an ad-hoc disruption's target, by target kind (public records only)."""

    def pairs(df: pl.DataFrame, key: str, label: str | None) -> list[dict[str, str]]:
        cols = [key] + ([label] if label and label in df.columns else [])
        rows = df.select(cols).unique(key, maintain_order=True).sort(key).head(MAX_OPTIONS)
        return [{"value": str(r[0]), "label": str(r[1]) if len(r) > 1 and r[1] else ""} for r in rows.iter_rows()]

    links = (
        ds.supply_links.select(pl.concat_str(["buyer", "part", "supplier"], separator="|").alias("link"))
        .sort("link")
        .head(MAX_OPTIONS)
    )
    return {
        "group": [{"value": g, "label": ""} for g in sorted(set(ds.country_groups["group"].to_list()))],
        "country": pairs(ds.countries, "iso2", "name"),
        "organization": pairs(ds.organizations, "id", "name"),
        "site": pairs(ds.sites, "id", "name"),
        "part": pairs(ds.parts, "id", "name"),
        "link": [{"value": v, "label": ""} for v in links["link"].to_list()],
    }


def _scenarios(ds: Dataset) -> list[dict[str, Any]]:
    counts = dict(ds.disruptions.group_by("scenario").len().iter_rows())
    return [
        {
            "name": r["name"],
            "description": r["description"] or "",
            "year": r["year"],
            "disruptions": counts.get(r["name"], 0),
        }
        for r in ds.scenarios.sort("name").iter_rows(named=True)
    ]


def _recent(conn: Any, dataset: str | None, kinds: tuple[str, ...]) -> list[accounts.Job]:
    return [j for j in accounts.list_jobs(conn, limit=300) if j.kind in kinds and j.dataset == dataset][:25]


@router.get("/shocks")
def shocks_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The shock builder: a stored scenario and/or an ad-hoc disruption; Monte Carlo; recent runs."""
    name, all_datasets = pick_dataset(store, settings, dataset)
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": all_datasets, "available": "shock" in jobs.REGISTRY}
    if name is not None:
        ds = datasets.visible(name, None, viewer)
        ctx["info"] = datasets.resolve(name)
        ctx["scenarios"] = _scenarios(ds)
        ctx["options"] = _options(ds)
        ctx["recent"] = _recent(conn, name, SHOCK_KINDS)
    return render(request, "shocks.html", ctx)


@router.get("/risk")
def risk_page(
    request: Request,
    user: CurrentUser,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    dataset: Annotated[str | None, Query(max_length=100)] = None,
    by: Annotated[str, Query(pattern="^(node|site|country)$")] = "node",
) -> Response:
    """Risk exposure ranking: the stored sweep (default settings) of the latest version, or a button to run it."""
    name, all_datasets = pick_dataset(store, settings, dataset)
    ctx: dict[str, Any] = {
        "dataset": name,
        "all_datasets": all_datasets,
        "by": by,
        "extra_params": {"by": by},
        "available": "sweep" in jobs.REGISTRY,
        "job": None,
        "ranking": None,
        "recent": [],
    }
    spec = jobs.REGISTRY.get("sweep")
    if name is not None and spec is not None:
        info = datasets.resolve(name)
        ctx["info"] = info
        params = spec.params.model_validate({"by": by})
        key = accounts.input_hash(kind="sweep", fingerprint=info.fingerprint, params=params.model_dump(mode="json"))
        job = accounts.find_job(conn, input_hash=key)
        ctx["job"] = job
        if job is not None and job.status == "done":
            _n, fingerprint, tables = visible_result(job, viewer, datasets)
            ctx["ranking"] = sweep_view(tables)
            ctx["fingerprint"] = fingerprint
        ctx["recent"] = _recent(conn, name, ("sweep",))
    return render(request, "risk.html", ctx)


# ---------------------------------------------------------------- result views


def _rows(df: pl.DataFrame | None, limit: int = 500) -> list[dict[str, Any]]:
    return [] if df is None else df.head(limit).to_dicts()


def _chart(df: pl.DataFrame, label: str, value: str, *, top: int = 20, keep_zero: bool = True) -> dict[str, Any]:
    """Bar-chart data from the rows whose ``value`` the viewer may see, largest first."""
    shown = df.filter(pl.col(value).is_not_null())
    if not keep_zero:
        shown = shown.filter(pl.col(value) != 0)
    shown = shown.sort(value, descending=True).head(top)
    return {"labels": [str(x) for x in shown[label].to_list()], "values": shown[value].to_list()}


def _hidden(df: pl.DataFrame | None, column: str) -> int:
    return 0 if df is None or column not in df.columns else int(df[column].is_null().sum())


def shock_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """What the shock result page shows: summary, losses per OEM (chart) and vehicle model, why, disruptions."""
    oems = tables.get("oems", pl.DataFrame())
    loss = "extra lost margin [RUB]"
    label = "OEM name" if "OEM name" in oems.columns else "OEM"
    summary = tables["summary"].to_dicts()[0] if "summary" in tables and tables["summary"].height else {}
    return {
        "summary": summary,
        "oem_chart": _chart(oems, label, loss) if loss in oems.columns else {"labels": [], "values": []},
        "oems": _rows(oems),
        "vehicles": _rows(tables.get("vehicles")),
        "vehicles_total": tables["vehicles"].height if "vehicles" in tables else 0,
        "why": _rows(tables.get("why")),
        "targets": _rows(tables.get("targets")),
        "hidden_oems": _hidden(oems, loss),
        "hidden_vehicles": _hidden(tables.get("vehicles"), loss),
    }


def sweep_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The ranking: targets by performance impact, a chart of the largest, the summary."""
    from importsub.web.shocks import SWEEP_TABLES

    name = next((t for t in SWEEP_TABLES.values() if t in tables), None)
    df = tables[name] if name else pl.DataFrame()
    pi = "performance impact [RUB]"
    if "part name" in df.columns:
        df = df.with_columns(
            pl.concat_str([pl.col("part name"), pl.col("site name")], separator=" — ").alias("__label__")
        )
    elif "site name" in df.columns:
        df = df.with_columns(pl.col("site name").alias("__label__"))
    else:
        df = df.with_columns(pl.col("target").alias("__label__"))
    summary = tables["summary"].to_dicts()[0] if "summary" in tables and tables["summary"].height else {}
    return {
        "table": name,
        "by": summary.get("by"),
        "summary": summary,
        "chart": _chart(df, "__label__", pi, keep_zero=False) if pi in df.columns else {"labels": [], "values": []},
        "rows": _rows(df, 300),
        "total": df.height,
        "has_tts": "TTS [weeks]" in df.columns,
        "hidden": _hidden(df, pi),
    }


def montecarlo_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """Summary (expected loss, VaR, CVaR), the loss distribution, per OEM, the nodes of the worst scenarios."""
    dist = tables.get("distribution", pl.DataFrame())
    oems = tables.get("oems", pl.DataFrame())
    quantiles: dict[str, list[Any]] = {}
    if dist.height and "loss [RUB]" in dist.columns:
        shown = dist.filter(pl.col("loss [RUB]").is_not_null())
        quantiles = {
            "labels": [f"{100 * q:g} %" for q in shown["quantile"].to_list()],
            "values": shown["loss [RUB]"].to_list(),
        }
    label = "OEM name" if "OEM name" in oems.columns else "OEM"
    exp = "expected loss [RUB]"
    summary = tables["summary"].to_dicts()[0] if "summary" in tables and tables["summary"].height else {}
    return {
        "summary": summary,
        "distribution": quantiles or {"labels": [], "values": []},
        "oem_chart": _chart(oems, label, exp) if exp in oems.columns else {"labels": [], "values": []},
        "oems": _rows(oems),
        "worst": _rows(tables.get("worst 1%"), 50),
        "hidden_oems": _hidden(oems, exp),
    }


RESULT_VIEWS = {
    "shock": ("shock_result.html", shock_view),
    "sweep": ("sweep_result.html", sweep_view),
    "montecarlo": ("montecarlo_result.html", montecarlo_view),
}


def result_view(kind: str, tables: dict[str, pl.DataFrame]) -> tuple[str, dict[str, Any]] | None:
    """(template, context) of the result page of ``kind``, or None for the generic tables page."""
    found = RESULT_VIEWS.get(kind)
    if found is None:
        return None
    template, make = found
    ctx = make(tables)
    title = _(jobs.REGISTRY[kind].title) if kind in jobs.REGISTRY else kind
    return template, {"view": ctx, "ranking": ctx, "title_text": title, "result_shown": True}
