"""The executive summary of a result: one or two A4 pages a ministry can file.

Per analysis kind (:data:`SPECS`; any other kind gets the generic one): the
page's KPIs humanised with their units (:func:`importsub.units.human` in the
request's language), its main chart as inline SVG (drawn here: no script, no
network), the top rows of its key table (the declared key columns), a "what
this means" sentence, the dataset, version and date, and the confidentiality
note.  The same page prints to PDF with the report's Chromium
(:func:`importsub.web.services.reports.html_to_pdf`).  Everything reads the
tables already masked for the viewer: a hidden figure shows as hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl
from markupsafe import Markup

from importsub.model.messages import localised
from importsub.model.results import result_tables, split_unit
from importsub.reports.terminal import key_columns
from importsub.web.i18n import N_, current_language
from importsub.web.i18n import gettext as _
from importsub.web.services import reports
from importsub.web.services.shocks import SWEEP_TABLES
from importsub.web.templating import column_heading, format_value, human

TOP_ROWS = 10
"""Rows of the key table on the summary [rows]."""
CHART_BARS = 12
"""Bars of the summary's chart [bars]."""
MAX_KPIS = 6
"""Headline figures of one summary, at most."""

_UNIT_WORDS = (N_("weeks"), N_("fraction"))  # units of KPI figures, translated when shown (listed for extraction)


@dataclass(frozen=True)
class Kpi:
    """One headline figure: its column (``lost margin [RUB]``), value and, read from the column, its unit."""

    column: str
    value: Any
    own_label: str | None = None
    """A label of the summary's own (a count it makes), instead of the column's."""

    @property
    def unit(self) -> str:
        return split_unit(self.column)[1] or ""

    @property
    def label(self) -> str:
        """The column's label in the page language, without its unit (the figure carries it)."""
        return self.own_label or split_unit(column_heading(self.column))[0]

    @property
    def hidden(self) -> bool:
        return self.value is None

    @property
    def text(self) -> str:
        return human(self.value, self.unit)


@dataclass(frozen=True)
class Chart:
    """A bar chart (``label`` × ``value`` of ``table``, largest first) or, with ``series``, a line chart."""

    table: str
    label: str
    value: str
    series: str | None = None


@dataclass(frozen=True)
class Spec:
    """What the summary of one kind shows: KPI columns (of the first row of ``kpi_table``), the chart, the
    key table (sorted by ``sort``, largest first; None keeps its order) and the "what this means" sentence."""

    kpi_table: str | Callable[[Mapping[str, pl.DataFrame]], str | None]
    kpis: tuple[str, ...] | Callable[[Mapping[str, pl.DataFrame]], tuple[str, ...]]
    chart: Chart | Callable[[Mapping[str, pl.DataFrame]], Chart | None] | None
    table: str | Callable[[Mapping[str, pl.DataFrame]], str | None]
    sort: str | None
    meaning: Callable[[dict[str, Any], Mapping[str, pl.DataFrame]], str]
    kpi_sort: str | None = None
    """The KPIs are of the row with the largest value of this column (default: the first row)."""


@dataclass
class Summary:
    """What the template draws."""

    title: str
    kpis: list[Kpi]
    chart_svg: Markup
    chart_title: str
    table_name: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    total_rows: int
    meaning: str
    facts: list[tuple[str, str]] = field(default_factory=list)


def _fig(row: Mapping[str, Any], column: str) -> str:
    return human(row.get(column), split_unit(column)[1] or "") if row.get(column) is not None else _("hidden")


def _shock_meaning(s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
    return _(
        "The shock costs %(pi)s of margin beyond the baseline over %(weeks)s; %(share)s of vehicle output survives.",
        pi=_fig(s, "performance impact [RUB]"),
        weeks=_fig(s, "window [weeks]"),
        share=_fig(s, "surviving output [%]"),
    )


def _sweep_table(tables: Mapping[str, pl.DataFrame]) -> str | None:
    return next((t for t in SWEEP_TABLES.values() if t in tables), None)


def _sweep_chart(tables: Mapping[str, pl.DataFrame]) -> Chart | None:
    name = _sweep_table(tables)
    if name is None:
        return None
    df = tables[name]
    label = next((c for c in ("site name", "target") if c in df.columns), df.columns[0])
    return Chart(name, label, "performance impact [RUB]")


def _sweep_meaning(s: dict[str, Any], tables: Mapping[str, pl.DataFrame]) -> str:
    name = _sweep_table(tables)
    df = tables.get(name or "", pl.DataFrame())
    pi = "performance impact [RUB]"
    if df.height == 0 or pi not in df.columns or df[pi].is_null().all():
        return _("No target you may see loses anything when cut off alone.")
    top = df.filter(pl.col(pi).is_not_null()).sort(pi, descending=True).row(0, named=True)
    where = " — ".join(str(top[c]) for c in ("part name", "site name") if top.get(c)) or str(top.get("target"))
    return _(
        "The largest single risk is %(target)s: cut off for the window, it costs %(pi)s.",
        target=where,
        pi=_fig(top, pi),
    )


def _montecarlo_meaning(s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
    return _(
        "The expected loss is %(el)s; in one run in twenty the loss exceeds %(var)s (VaR 95%%).",
        el=_fig(s, "expected loss [RUB]"),
        var=_fig(s, "VaR 95% [RUB]"),
    )


def _objective(df: pl.DataFrame | None) -> str | None:
    return None if df is None else next((c for c in df.columns if c.startswith("objective: ")), None)


def _portfolio_chart(tables: Mapping[str, pl.DataFrame]) -> Chart | None:
    objective = _objective(tables.get("frontier"))
    return Chart("frontier", "budget [RUB]", objective) if objective else None


def _portfolio_kpis(tables: Mapping[str, pl.DataFrame]) -> tuple[str, ...]:
    """The objective the portfolio was chosen for, its capex, its projects' import content."""
    objective = _objective(tables.get("summary"))
    return (*([objective] if objective else []), "capex [RUB]", "import content [%]")


def _portfolio_meaning(s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
    return _(
        "With this budget the best portfolio is %(projects)s, for %(capex)s of capital expenditure.",
        projects=s.get("projects") or _("no project"),
        capex=_fig(s, "capex [RUB]"),
    )


def _compliance_meaning(_s: dict[str, Any], tables: Mapping[str, pl.DataFrame]) -> str:
    models = tables.get("models", pl.DataFrame())
    passed = int(models["pass"].sum()) if "pass" in models.columns else 0
    return _(
        "%(passed)s of %(total)s checks of a vehicle model against a statutory yardstick pass.",
        passed=human(passed),
        total=human(models.height),
    )


def _project_meaning(s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
    return _(
        "In %(year)s the project changes import content by %(pp)s and avoids %(loss)s of expected loss, "
        "for %(capex)s of capital expenditure.",
        year=s.get("year", ""),
        pp=_fig(s, "Δ import content [pp]"),
        loss=_fig(s, "expected loss avoided [RUB]"),
        capex=_fig(s, "capex [RUB]"),
    )


def _simulate_meaning(s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
    return _(
        "Week by week the shock costs %(pi)s (the time-to-recover bound: %(ttr)s); output is back to 95%% "
        "after %(weeks)s.",
        pi=_fig(s, "performance impact [RUB]"),
        ttr=_fig(s, "TTR performance impact [RUB]"),
        weeks=_fig(s, "weeks to recover 95% [weeks]"),
    )


def _localisation_meaning(s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
    return _(
        "The largest OEM by demand value, %(oem)s, has %(known)s known import content (at most %(max)s if "
        "every untraced value were imported); %(coverage)s of its value is traced.",
        oem=s.get("name") or s.get("organization") or "",
        known=_fig(s, "import content [%]"),
        max=_fig(s, "import content max [%]"),
        coverage=_fig(s, "coverage [%]"),
    )


SPECS: dict[str, Spec] = {
    "localisation": Spec(
        "oems",
        (
            "import content [%]",
            "import content max [%]",
            "coverage [%]",
            "vehicles [units/yr]",
            "demand value [RUB/yr]",
        ),
        Chart("oems", "name", "import content [%]"),
        "vehicles",
        "demand value [RUB/yr]",
        _localisation_meaning,
        kpi_sort="demand value [RUB/yr]",
    ),
    "shock": Spec(
        "summary",
        (
            "performance impact [RUB]",
            "surviving output [%]",
            "lost margin [RUB]",
            "baseline lost margin [RUB]",
            "window [weeks]",
            "nodes hit",
        ),
        Chart("oems", "OEM name", "extra lost margin [RUB]"),
        "vehicles",
        "extra lost margin [RUB]",
        _shock_meaning,
    ),
    "sweep": Spec(
        "summary",
        ("largest PI [RUB]", "targets", "zero impact [%]", "settled by screening [%]"),
        _sweep_chart,
        _sweep_table,
        None,
        _sweep_meaning,
    ),
    "montecarlo": Spec(
        "summary",
        (
            "expected loss [RUB]",
            "VaR 95% [RUB]",
            "CVaR 95% [RUB]",
            "VaR 99% [RUB]",
            "scenarios with loss [%]",
            "runs",
        ),
        Chart("oems", "OEM name", "expected loss [RUB]"),
        "oems",
        "expected loss [RUB]",
        _montecarlo_meaning,
    ),
    "portfolio": Spec(
        "summary",
        _portfolio_kpis,
        _portfolio_chart,
        "chosen",
        None,
        _portfolio_meaning,
    ),
    "compliance": Spec(
        "models",
        (),
        Chart("models", "part name", "margin [points]"),
        "models",
        None,
        _compliance_meaning,
    ),
    "project": Spec(
        "impact",
        ("Δ import content [pp]", "import content after [%]", "expected loss avoided [RUB]", "capex [RUB]"),
        Chart("oems", "organization", "change [pp]"),
        "oems",
        None,
        _project_meaning,
    ),
    "simulate": Spec(
        "summary",
        (
            "performance impact [RUB]",
            "TTR performance impact [RUB]",
            "propagation loss [RUB]",
            "weeks to recover 95% [weeks]",
            "service level [%]",
        ),
        Chart("weekly", "week", "output [units]", "OEM name"),
        "weekly",
        None,
        _simulate_meaning,
    ),
}
"""The summary of each kind with a result page of its own (and of the week-by-week simulation)."""


def _resolve(value: Any, tables: Mapping[str, pl.DataFrame]) -> Any:
    return value(tables) if callable(value) else value


def _generic(tables: Mapping[str, pl.DataFrame]) -> Spec:
    """Any other kind: the KPIs of its first one-row table, the chart and rows of its first table."""
    one_row = next((t for t, df in tables.items() if df.height == 1), None)
    kpis: tuple[str, ...] = ()
    if one_row:
        df = tables[one_row]
        kpis = tuple(c for c, t in df.schema.items() if t.is_numeric() and split_unit(c)[1])[:MAX_KPIS]
    first = next(iter(tables), "")
    cols = reports.chart_columns(tables[first]) if first else None
    chart = Chart(first, cols[0], cols[1]) if cols else None

    def meaning(_s: dict[str, Any], _t: Mapping[str, pl.DataFrame]) -> str:
        return _("The figures below are the result's headline; every table is in the XLSX and the CSV zip.")

    return Spec(one_row or "", kpis, chart, first, None, meaning)


def _chart_svg(chart: Chart | None, tables: Mapping[str, pl.DataFrame]) -> tuple[Markup, str]:
    if chart is None or chart.table not in tables:
        return Markup(""), ""
    df = tables[chart.table]
    needed = [chart.label, chart.value, *([chart.series] if chart.series else [])]
    if any(c not in df.columns for c in needed):
        return Markup(""), ""
    title = column_heading(chart.value)
    if chart.series:
        svg = reports.line_chart_of(df, chart.label, chart.value, chart.series, title)
        return Markup(svg), title
    unit = split_unit(chart.value)[1] or ""
    shown = df.filter(pl.col(chart.value).is_not_null())
    if chart.label != "budget [RUB]":  # a frontier keeps its budget order
        shown = shown.sort(chart.value, descending=True)
    shown = shown.head(CHART_BARS)
    if chart.label == "budget [RUB]":
        labels = [human(v, "RUB") for v in shown[chart.label].to_list()]
    else:
        labels = [str(v) for v in shown[chart.label].to_list()]
    svg = reports.svg_bar_chart(labels, shown[chart.value].to_list(), title, fmt=lambda v: human(v, unit))
    return Markup(svg), title


def _key_table(kind: str, name: str | None, sort: str | None, tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    if not name or name not in tables:
        return {"table_name": "", "columns": [], "rows": [], "numeric": [], "total_rows": 0}
    df = tables[name]
    if sort and sort in df.columns:
        df = df.sort(sort, descending=True, nulls_last=True)
    cols = key_columns(df, kind, name)
    top = df.select(cols).head(TOP_ROWS)
    numeric = [t.is_numeric() for t in top.dtypes]
    rows = [
        [
            _("hidden")
            if v is None and n
            else (human(v, split_unit(c)[1] or "") if n and split_unit(c)[1] else format_value(v))
            for v, c, n in zip(r, cols, numeric, strict=True)
        ]
        for r in top.iter_rows()
    ]
    t = result_tables().get((kind, name))
    return {
        "table_name": t.heading(current_language()) if t else name,
        "columns": [column_heading(c) for c in cols],
        "rows": rows,
        "numeric": numeric,
        "total_rows": df.height,
    }


def summary(
    kind: str,
    title: str,
    tables: Mapping[str, pl.DataFrame],
    *,
    dataset: str | None,
    version: int | None,
    fingerprint: Mapping[str, Any],
    created: datetime | None = None,
) -> Summary:
    """The executive summary of a result of ``kind`` (tables masked for the viewer), in the current language."""
    lang = current_language()  # sentences (a programme's "4 of 14 public") in it, their ids and parameters dropped
    tables = {t: localised(df, lang) for t, df in tables.items()}
    spec = SPECS.get(kind) or _generic(tables)
    kpi_table = _resolve(spec.kpi_table, tables)
    df = tables.get(kpi_table or "", pl.DataFrame())
    if spec.kpi_sort and spec.kpi_sort in df.columns:
        df = df.sort(spec.kpi_sort, descending=True, nulls_last=True)
    first: dict[str, Any] = df.row(0, named=True) if df.height else {}
    kpis = [Kpi(c, first[c]) for c in _resolve(spec.kpis, tables) if c in first][:MAX_KPIS]
    if kind == "compliance" and "pass" in df.columns:
        passed = int(df["pass"].fill_null(False).sum())
        kpis = [
            Kpi("checks", df.height, _("Checks of a model against a yardstick")),
            Kpi("passed", passed, _("Checks passed")),
            Kpi("failed", df.height - passed, _("Checks not passed")),
        ]
    svg, chart_title = _chart_svg(_resolve(spec.chart, tables), tables)
    key = _key_table(kind, _resolve(spec.table, tables), spec.sort, tables)
    when = (created or datetime.now(UTC)).strftime("%Y-%m-%d")
    content = fingerprint.get("content") or fingerprint.get("dataset fingerprint")
    facts = [
        (_("Dataset"), str(dataset or "")),
        (_("Version"), str(version or "")),
        (_("Date"), when),
    ]
    if content:
        facts.append((_("Inputs (fingerprint)"), str(content)[:12]))
    return Summary(
        title=title,
        kpis=kpis,
        chart_svg=svg,
        chart_title=chart_title,
        meaning=spec.meaning(first, tables),
        facts=facts,
        **key,
    )


TEMPLATE = "summary_report.html"

SUMMARY_CSS = """
body{font-family:"Noto Sans","DejaVu Sans",system-ui,sans-serif;margin:1.5rem auto;color:#222;max-width:180mm;font-size:10.5pt}
h1{font-size:16pt;margin:0 0 .2rem}h2{font-size:12pt;margin:1rem 0 .3rem}
.facts{color:#555;font-size:9pt;margin:0 0 .6rem}.facts span{margin-right:1.2em;white-space:nowrap}
.kpis{display:grid;grid-template-columns:repeat(3,1fr);gap:.4rem;margin:.6rem 0}
.kpi{border:1px solid #cfd8e3;border-radius:4px;padding:.35rem .5rem;background:#f6f8fb}
.kpi .v{display:block;font-size:14pt;font-weight:600;white-space:nowrap}.kpi .l{display:block;font-size:8.5pt;color:#444}
.kpi .hidden{color:#888;font-style:italic}
.meaning{border-left:4px solid #2f6db5;padding:.3rem .6rem;background:#eef4fb;margin:.6rem 0}
table{border-collapse:collapse;width:100%;font-size:8.5pt;table-layout:auto}
th,td{border:1px solid #ccc;padding:.15rem .35rem;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}th{background:#eef2f7}
svg{max-width:100%;height:auto}.note{font-size:8.5pt;color:#555}.conf{font-weight:600;color:#8a1c1c}
@page{size:A4;margin:14mm 14mm 16mm}
@media print{body{margin:0;max-width:none}tr,svg,.kpis{break-inside:avoid}h2{break-after:avoid}}
"""
"""The summary's styles: inline, as the page must stand alone (mailed, archived, printed)."""


def summary_html(env: Any, s: Summary, *, paper: bool = False) -> str:
    """The summary as a self-contained HTML page (``env``: the app's Jinja environment); ``paper`` adds the
    page numbers ("page N of M" in the page language) for printing."""
    return str(
        env.get_template(TEMPLATE).render(
            s=s,
            lang=current_language(),
            csp=reports.REPORT_CSP,
            style=Markup("<style>{}{}</style>").format(
                Markup(SUMMARY_CSS), Markup(reports.page_numbers() if paper else "")
            ),
        )
    )
