"""What the result pages show: the masked result tables of a finished job, shaped for its template.

A kind with a page of its own (shock, sweep, Monte Carlo, project,
portfolio, compliance) is drawn by its view in :data:`RESULT_VIEWS`; every other kind
by the generic tables page.  Views read only the tables they are given,
already masked for the viewer: a hidden figure is null here, and is left
out of charts and counted as hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from importsub.model.messages import localised
from importsub.web.i18n import current_language
from importsub.web.i18n import gettext as _
from importsub.web.services.analyses import Analyses
from importsub.web.services.reports import chart_columns
from importsub.web.services.shocks import SWEEP_TABLES
from importsub.web.templating import column_heading, unit_of


def _rows(df: pl.DataFrame | None, limit: int = 500) -> list[dict[str, Any]]:
    return [] if df is None else df.head(limit).to_dicts()


def top_and_rest(labels: list[str], values: list[float], top: int) -> dict[str, Any]:
    """Bar-chart data of the ``top`` largest values and, when there are more, one more bar summing the rest
    (``rest (k)`` / ``прочие (k)``, its position in ``rest_index``): a long tail stays in the total without
    crowding the labels.  Only for additive figures (money, units), never for shares or levels."""
    pairs = sorted(zip(labels, values, strict=True), key=lambda p: -p[1])
    if len(pairs) <= top + 1:  # a rest of one bar is that bar
        return {"labels": [p[0] for p in pairs], "values": [p[1] for p in pairs]}
    head, tail = pairs[:top], pairs[top:]
    return {
        "labels": [p[0] for p in head] + [_("rest (%(n)s)", n=len(tail))],
        "values": [p[1] for p in head] + [float(sum(p[1] for p in tail))],
        "rest_index": top,
    }


def _chart(df: pl.DataFrame, label: str, value: str, *, top: int = 15, keep_zero: bool = True) -> dict[str, Any]:
    """Bar-chart data from the rows whose ``value`` the viewer may see: the ``top`` largest and the rest."""
    shown = df.filter(pl.col(value).is_not_null())
    if not keep_zero:
        shown = shown.filter(pl.col(value) != 0)
    return top_and_rest([str(x) for x in shown[label].to_list()], shown[value].to_list(), top)


ADDITIVE = ("RUB", "units", "units/yr", "RUB/yr", "links", "t")
"""Units whose figures add up (a "rest" bar sums them); shares, levels and ratios do not."""


def generic_charts(
    tables: dict[str, pl.DataFrame], declared: Mapping[str, tuple[str, ...] | None] | None = None
) -> list[dict[str, Any]]:
    """Bar charts of the generic result page, one per table: the kind's declared (label, value) columns, else
    a guess (:func:`chart_columns`); never a column without a unit in brackets (an ordinal level such as MRL
    is listed in its table, not drawn as bar lengths), nor line charts (their own pages draw those)."""
    out = []
    for i, (tname, df) in enumerate(tables.items()):
        cols = declared[tname] if declared and tname in declared else chart_columns(df)
        if not cols or len(cols) != 2 or not set(cols) <= set(df.columns) or not unit_of(cols[1]):
            continue
        label, value = cols
        shown = df.filter(pl.col(value).is_not_null())
        unit = unit_of(value)
        labels, values = [str(x) for x in shown[label].to_list()], shown[value].to_list()
        if unit in ADDITIVE:
            chart = top_and_rest(labels, values, 15)
        else:  # the 20 largest shares or ratios; a sum of the others would mean nothing
            chart = top_and_rest(labels, values, len(labels))
            chart = {"labels": chart["labels"][:20], "values": chart["values"][:20]}
        out.append({"id": f"chart-{i}", "title": f"{tname}: {column_heading(value)}", **chart, "unit": unit})
    return out


def _hidden(df: pl.DataFrame | None, column: str) -> int:
    return 0 if df is None or column not in df.columns else int(df[column].is_null().sum())


def weekly_chart(weekly: pl.DataFrame | None) -> dict[str, Any]:
    """Line-chart data of the simulated output per week, one line per OEM whose figures the viewer may see."""
    empty: dict[str, Any] = {"labels": [], "series": []}
    if weekly is None or weekly.height == 0 or "output [units]" not in weekly.columns:
        return empty
    shown = weekly.filter(pl.col("output [units]").is_not_null())
    if shown.height == 0:
        return empty
    weeks = sorted(set(shown["week"].to_list()))
    label = "OEM name" if "OEM name" in shown.columns else "OEM"
    series = []
    for name in dict.fromkeys(shown[label].to_list()):
        per = dict(shown.filter(pl.col(label) == name).select("week", "output [units]").iter_rows())
        series.append({"name": str(name), "values": [per.get(w) for w in weeks]})
    return {"labels": [str(w) for w in weeks], "series": series, "kind": "line"}


def shock_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """What the shock result page shows: summary, losses per OEM (chart), period and vehicle model, why, disruptions."""
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
        "why": _rows(localised(tables["why"], current_language()) if "why" in tables else None),
        "periods": _rows(tables.get("periods")),
        "targets": _rows(tables.get("targets")),
        "hidden_oems": _hidden(oems, loss),
        "hidden_vehicles": _hidden(tables.get("vehicles"), loss),
        "weekly_chart": weekly_chart(tables.get("weekly")),
        "weekly_weeks": 0 if "weekly" not in tables else tables["weekly"]["week"].n_unique(),
    }


def sweep_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The ranking: targets by performance impact, a chart of the largest, the summary."""
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


def _find(df: pl.DataFrame, prefix: str) -> str | None:
    return next((c for c in df.columns if c.startswith(prefix)), None)


def impact_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The side-by-side impact: one row per project and year."""
    summary = tables.get("summary", pl.DataFrame())
    return {"rows": summary.to_dicts(), "columns": summary.columns}


def project_impact_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """Headline figures, import content before/after by OEM (chart), shocks and balance of one project."""
    lang = current_language()  # the capacity notes in the page language
    tables = {k: localised(v, lang) for k, v in tables.items()}
    imp = tables.get("impact", pl.DataFrame())
    head = imp.to_dicts()[0] if imp.height else {}
    oems = tables.get("oems", pl.DataFrame())
    chart: dict[str, Any] = {"labels": [], "series": []}
    if oems.height:
        names = oems.sort("import content before [%]", descending=True, nulls_last=True)
        chart = {
            "labels": names["organization"].to_list(),
            "series": [
                {"name": _("before"), "values": names["import content before [%]"].to_list()},
                {"name": _("after"), "values": names["import content after [%]"].to_list()},
            ],
        }
    return {
        "head": head,
        "oem_chart": chart,
        "oems": oems.to_dicts(),
        "shocks": tables.get("shocks", pl.DataFrame()).to_dicts(),
        "balance": tables.get("balance", pl.DataFrame()).to_dicts(),
        "capacity": tables.get("capacity", pl.DataFrame()).to_dicts(),
        "takeovers": tables.get("takeovers", pl.DataFrame()).to_dicts(),
    }


def portfolio_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The frontier (budget → best objective, MIP and greedy), the chosen set and why, greedy vs MIP."""
    fr = tables.get("frontier")
    summary = tables.get("summary", pl.DataFrame())
    objective = _find(summary, "objective: ") or (None if fr is None else _find(fr, "objective: "))
    unit = objective.split(": ", 1)[1] if objective else ""
    chart: dict[str, Any] = {"labels": [], "series": []}
    rows: list[dict[str, Any]] = []
    if fr is not None and objective and objective in fr.columns:
        greedy = f"greedy {objective}"
        chart = {
            "labels": [f"{b / 1e9:g}" for b in fr["budget [RUB]"].to_list()],
            "series": [
                {"name": _("MIP (optimal)"), "values": fr[objective].to_list(), "step": True},
                {"name": _("greedy benefit/cost"), "values": fr[greedy].to_list(), "step": True},
            ],
        }
        rows = [
            {
                "budget": r["budget [RUB]"],
                "capex": r["capex used [RUB]"],
                "objective": r[objective],
                "greedy_objective": r[greedy],
                "projects": r["projects"],
                "greedy_projects": r["greedy projects"],
                "differs": r["greedy differs"],
                "import_content": r.get("import content [%]"),
            }
            for r in fr.to_dicts()
        ]
    hidden = bool(rows) and all(r["objective"] is None for r in rows)
    chosen = localised(tables.get("chosen", pl.DataFrame()), current_language())
    return {
        "unit": unit,
        "objective": objective,
        "chart": chart if not hidden else {"labels": [], "series": []},
        "frontier": rows,
        "hidden": hidden,
        "chosen": chosen.to_dicts(),
        "chosen_columns": chosen.columns,
        "summary": summary.to_dicts(),
        "summary_objective": objective,
        "differences": tables.get("differences", pl.DataFrame()).to_dicts(),
        "differences_column": _find(tables.get("differences", pl.DataFrame()), "greedy worse by"),
        "options": tables.get("options", pl.DataFrame()).to_dicts(),
        "options_benefit": _find(tables.get("options", pl.DataFrame()), "standalone benefit"),
        "scenarios": tables.get("scenarios", pl.DataFrame()).to_dicts(),
        "notes": [
            n["note"] for n in localised(tables.get("notes", pl.DataFrame({"note": []})), current_language()).to_dicts()
        ],
    }


def compliance_view(tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """Per model and regime: the verdict of the year (score vs threshold, or share vs limit), the first breach,
    and the next steps with the most points per capex first."""
    lang = current_language()  # the reasons and notes in the page language
    tables = {k: localised(v, lang) for k, v in tables.items()}
    models = tables.get("models", pl.DataFrame())
    rows = []
    for r in _rows(models):
        if r.get("regime") in ("pp719", "eaeu105"):
            got, need, margin, unit = (
                r.get("score [points]"),
                r.get("threshold [points]"),
                r.get("margin [points]"),
                _("points"),
            )
        elif r.get("regime") == "cis2009":
            got, need, margin, unit = r.get("foreign share [%]"), r.get("limit [%]"), r.get("margin [pp]"), "%"
        else:
            got, need, margin, unit = r.get("assembly share [%]"), r.get("target [%]"), r.get("margin [pp]"), "%"
        rows.append({**r, "got": got, "need": need, "margin": margin, "unit": unit})
    pick = {
        "pp719": ("score [points]", "threshold [points]"),
        "eaeu105": ("score [points]", "threshold [points]"),
        "cis2009": ("foreign share [%]", "limit [%]"),
        "assembly": ("assembly share [%]", "target [%]"),
    }
    by_year = []
    for r in _rows(tables.get("by year"), 1000):
        got, need = pick.get(str(r.get("regime")), pick["assembly"])
        by_year.append({**r, "got": r.get(got), "need": r.get(need)})
    return {
        "models": rows,
        "by_year": by_year,
        "breaches": _rows(tables.get("first breach")),
        "steps": _rows(tables.get("next steps"), 200),
        "year": rows[0]["year"] if rows else None,
    }


ResultView = Callable[[dict[str, pl.DataFrame]], dict[str, Any]]

RESULT_VIEWS: dict[str, tuple[str, ResultView]] = {
    # kind: (template, view)
    "shock": ("shock_result.html", shock_view),
    "sweep": ("sweep_result.html", sweep_view),
    "montecarlo": ("montecarlo_result.html", montecarlo_view),
    "project": ("project_result.html", project_impact_view),
    "portfolio": ("portfolio_result.html", portfolio_view),
    "compliance": ("compliance_result.html", compliance_view),
}


def result_view(kind: str, tables: dict[str, pl.DataFrame], analyses: Analyses) -> tuple[str, dict[str, Any]] | None:
    """(template, context) of the result page of ``kind``, or None for the generic tables page."""
    found = RESULT_VIEWS.get(kind)
    if found is None:
        return None
    template, make = found
    ctx = make(tables)
    title = _(analyses[kind].title) if kind in analyses else kind
    return template, {"view": ctx, "ranking": ctx, "title_text": title, "result_shown": True}
