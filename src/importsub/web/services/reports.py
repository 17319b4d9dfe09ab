"""Analysis results as files: XLSX, JSON, CSV, a self-contained HTML report with charts, and that report as PDF.

The HTML report needs nothing from the network or from this server: styles
are inline and charts are SVG drawn here, so it can be mailed, archived or
printed to PDF from any browser.  It carries the fingerprint of its inputs
(in its title too, so the PDF's document title names it).

PDF: the same HTML report printed by a headless Chromium
(``chromium --headless --print-to-pdf``, Debian's ``chromium`` package),
found as ``$IMPORTSUB_CHROMIUM`` or on ``PATH``; without one,
:class:`PdfUnavailable` says what is missing.  The page has no script
(its Content-Security-Policy forbids any) and the browser gets no network
(every host name resolves to nothing, and its proxy is a closed local
port), so printing cannot fetch or run anything.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from importsub.model.errors import ImportsubError
from importsub.model.messages import localised
from importsub.model.results import result_tables
from importsub.reports.tables import to_csv, to_json, write_xlsx
from importsub.web.i18n import current_language
from importsub.web.i18n import gettext as _
from importsub.web.templating import column_heading, column_title, format_value


def chart_columns(df: pl.DataFrame) -> tuple[str, str] | None:
    """(label column, value column) worth charting: the first text column and the first numeric column with a unit."""
    labels = [c for c, t in df.schema.items() if t == pl.String()]
    numeric = [c for c, t in df.schema.items() if t.is_numeric() and c not in ("node", "year")]
    with_unit = [c for c in numeric if "[" in c] or numeric
    if not labels or not with_unit or df.height == 0:
        return None
    return labels[0], with_unit[0]


def svg_bar_chart(
    labels: list[str],
    values: list[float],
    title: str,
    *,
    width: int = 640,
    fmt: Callable[[float], str] = format_value,
) -> str:
    """A horizontal bar chart as inline SVG (no script, no external style); ``fmt`` writes each bar's figure."""
    pairs = [(lab, v) for lab, v in zip(labels, values, strict=True) if v is not None and math.isfinite(v)]
    if not pairs:
        return ""
    bar, gap, left, top = 18, 6, 220, 28
    height = top + len(pairs) * (bar + gap) + 10
    vmax = max(abs(v) for _, v in pairs) or 1.0
    span = width - left - 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="4" y="16" font-size="13" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    for i, (lab, v) in enumerate(pairs):
        y = top + i * (bar + gap)
        w = max(1.0, span * abs(v) / vmax)
        text = lab if len(lab) <= 32 else lab[:31] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + bar - 5}" font-size="11" text-anchor="end" fill="#333">{escape(text)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{"#2f6db5" if v >= 0 else "#c0392b"}"/>'
        )
        parts.append(
            f'<text x="{left + w + 4:.1f}" y="{y + bar - 5}" font-size="11" fill="#333">{escape(fmt(v))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _th(name: str) -> str:
    """A header cell: the column's label in the report's language, its description as the tooltip."""
    title = column_title(name)
    attr = f' title="{escape(title)}"' if title else ""
    return f"<th{attr}>{escape(column_heading(name))}</th>"


def svg_line_chart(x: list[Any], series: Mapping[str, list[float | None]], title: str, *, width: int = 640) -> str:
    """Lines over shared x values (one per series, e.g. output per week and OEM) as inline SVG, with a legend."""
    points = [v for vals in series.values() for v in vals if v is not None and math.isfinite(v)]
    if not points or len(x) < 1:
        return ""
    palette = ("#1f4e8c", "#c0392b", "#1e7b44", "#b7791f", "#6b46c1", "#2c7a7b", "#9b2c2c", "#4a5568")
    left, top, plot_h, legend_h = 70, 28, 220, 16 * ((len(series) + 2) // 3)
    height = top + plot_h + 30 + legend_h
    span = width - left - 20
    vmax = max(points) or 1.0
    vmin = min(0.0, min(points))

    def px(i: int) -> float:
        return left + (span * i / (len(x) - 1) if len(x) > 1 else span / 2)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v - vmin) / ((vmax - vmin) or 1.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="4" y="16" font-size="13" font-weight="bold" fill="#222">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + span}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 8}" font-size="10" text-anchor="end" fill="#333">{escape(format_value(vmax))}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" font-size="10" text-anchor="end" fill="#333">{escape(format_value(vmin))}</text>',
    ]
    for i, xv in enumerate(x):
        if len(x) <= 20 or i % max(1, len(x) // 10) == 0:
            parts.append(
                f'<text x="{px(i):.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="middle" fill="#333">{escape(str(xv))}</text>'
            )
    for k, (name, vals) in enumerate(series.items()):
        colour = palette[k % len(palette)]
        pts = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(vals) if v is not None and math.isfinite(v))
        if pts:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        lx, ly = 4 + (k % 3) * (width // 3), top + plot_h + 32 + 16 * (k // 3)
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{ly}" font-size="11" fill="#333">{escape(str(name)[:40])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart_of(df: pl.DataFrame, x: str, value: str, series: str, title: str) -> str:
    """:func:`svg_line_chart` of ``value`` over ``x`` with one line per value of ``series`` (hidden figures left out)."""
    shown = df.filter(pl.col(value).is_not_null())
    xs = sorted(set(shown[x].to_list()))
    lines: dict[str, list[float | None]] = {}
    for name in dict.fromkeys(shown[series].to_list()):
        part = dict(shown.filter(pl.col(series) == name).select(x, value).iter_rows())
        lines[str(name)] = [part.get(v) for v in xs]
    return svg_line_chart(xs, lines, title)


def _table_html(df: pl.DataFrame, max_rows: int = 500, keys: tuple[str, ...] = ()) -> str:
    """The table as HTML; with ``keys`` (the declared terminal key columns) only those columns, for A4 paper."""
    narrowed = ""
    shown = [c for c in keys if c in df.columns]
    if shown and len(shown) < df.width:
        df = df.select(shown)
        narrowed = "<p>" + escape(_("Key columns only; every column is in the XLSX and the CSV zip.")) + "</p>"
    head = "".join(_th(c) for c in df.columns)
    numeric = [t.is_numeric() for t in df.dtypes]
    rows = []
    for row in df.head(max_rows).iter_rows():
        cells = "".join(
            f'<td class="{"n" if n else ""}">{escape(format_value(v))}</td>' for v, n in zip(row, numeric, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    more = ""
    if df.height > max_rows:
        note = _("%(shown)s of %(total)s rows shown; the XLSX export has all.", shown=max_rows, total=df.height)
        more = f"<p>{escape(note)}</p>"
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}{narrowed}"


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#eef2f7}.fp td{font-family:ui-monospace,monospace;font-size:.8rem;word-break:break-all}svg{max-width:100%;height:auto}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none}table{display:table;font-size:.68rem;width:100%}tr,svg{break-inside:avoid}
h2{break-after:avoid}}
"""

PAPER_COLUMNS = 7
"""Widest table printed whole on A4 portrait; a wider one shows its terminal key columns."""


def page_numbers() -> str:
    """CSS page-margin boxes: "page N of M" in the report's language at the foot of every printed page."""
    text = _("page %(n)s of %(m)s", n="\x00", m="\x01")
    before, _sep, rest = text.partition("\x00")
    middle, _sep, after = rest.partition("\x01")

    def q(part: str) -> str:
        return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'

    content = f"{q(before)} counter(page) {q(middle)} counter(pages) {q(after)}"
    return f"@page{{@bottom-right{{content:{content};font-size:9pt;color:#555}}}}"


REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The report runs no script and loads nothing (its styles are inline, its charts inline SVG)."""


ChartSpec = Mapping[str, tuple[str, ...] | None]
"""Per table: (label column, value column) of its bar chart, (x, value, series column) of its line chart,
or None for no chart (default: :func:`chart_columns`)."""


def html_report(
    name: str,
    fingerprint: Mapping[str, Any],
    tables: Mapping[str, pl.DataFrame],
    *,
    title: str | None = None,
    charts: ChartSpec | None = None,
    kind: str | None = None,
    paper: bool = False,
) -> str:
    """A self-contained HTML report: fingerprint, then each table (described, when the analysis ``kind``
    declares it) with a bar chart of its main figure; column headers and their tooltips in the page language.
    ``paper``: for printing on A4 (the PDF) — a table wider than seven columns shows its declared terminal key
    columns (the rest are in the XLSX and CSV zip), and each page carries its number."""
    lang = current_language()
    declared = result_tables()
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sections = []
    for tname, df in tables.items():
        df = localised(df, lang)  # sentences in the report's language, their message ids and parameters dropped
        chart = ""
        cols = chart_columns(df) if charts is None or tname not in charts else charts[tname]
        if cols and any(c not in df.columns for c in cols):
            cols = None
        if cols and len(cols) == 3:
            chart = line_chart_of(df, cols[0], cols[1], cols[2], f"{tname}: {cols[1]}")
        elif cols:
            label, value = cols
            top = df.filter(pl.col(value).is_not_null()).sort(value, descending=True, nulls_last=True).head(15)
            chart = svg_bar_chart(
                [str(x) for x in top[label].to_list()], top[value].to_list(), f"{tname}: {column_heading(value)}"
            )
        t = declared.get((kind or "", tname))
        about = f'<p class="about">{escape(t.description_ru if lang == "ru" else t.description)}</p>' if t else ""
        keys = t.terminal if (paper and t is not None and df.width > PAPER_COLUMNS) else ()
        sections.append(f"<section><h2>{escape(tname)}</h2>{about}{chart}{_table_html(df, keys=keys)}</section>")
    fp_rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in fingerprint.items())
    heading = title or _("Analysis report: %(name)s", name=name)
    created_note = _("Created %(when)s by importsub. Figures you may not see are left empty.", when=created)
    inputs = _("Inputs (fingerprint)")
    content = fingerprint.get("content") or fingerprint.get("dataset fingerprint")
    doc_title = f"{heading} · {str(content)[:12]}" if content else heading
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(doc_title)}</title>'
        f"<style>{_CSS}{page_numbers() if paper else ''}</style></head><body><h1>{escape(heading)}</h1>"
        f"<p>{escape(created_note)}</p>"
        f'<h2>{escape(inputs)}</h2><table class="fp"><tbody>{fp_rows}</tbody></table>'
        f"{''.join(sections)}</body></html>"
    )


class PdfUnavailable(ImportsubError):
    """No Chromium to print the report with (the HTML report prints to PDF from any browser)."""


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_SECONDS = 90.0


def find_chromium() -> str | None:
    """The Chromium to print with: ``$IMPORTSUB_CHROMIUM`` if set, else the first of :data:`CHROMIUM_NAMES` on PATH."""
    configured = os.environ.get("IMPORTSUB_CHROMIUM")
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, *, chromium: str | None = None, timeout: float = PDF_TIMEOUT_SECONDS) -> bytes:
    """Print an HTML document to PDF (A4) with a headless Chromium, offline.

    Parameters
    ----------
    html : str
        A self-contained page (no network is reachable while it prints).
    chromium : str, optional
        Path of the browser; default :func:`find_chromium`.
    timeout : float
        Longest print [s].

    Returns
    -------
    bytes
        The PDF (starts with ``%PDF``).

    Raises
    ------
    PdfUnavailable
        No Chromium found, or it failed (its last message is quoted).
    """
    browser = chromium or find_chromium()
    if browser is None:
        raise PdfUnavailable(
            _(
                "PDF export needs a Chromium browser (Debian package 'chromium'), and none was found on PATH or in "
                "IMPORTSUB_CHROMIUM. The HTML report prints to PDF from any browser."
            )
        )
    with tempfile.TemporaryDirectory(prefix="importsub-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        args = [
            browser,
            "--headless",
            "--no-sandbox",  # root in containers; the page is ours, without script, and the browser has no network
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            proc = subprocess.run(args, capture_output=True, timeout=timeout, check=False, cwd=tmp)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(_("Chromium could not print the report: %(err)s", err=str(exc))) from None
        if not out.is_file() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            raise PdfUnavailable(_("Chromium could not print the report: %(err)s", err=tail[0]))
        return out.read_bytes()


def csv_zip(tables: Mapping[str, pl.DataFrame], fingerprint: Mapping[str, Any]) -> bytes:
    """Every table as ``NAME.csv`` (UTF-8 with BOM, so a spreadsheet opens Cyrillic right) in one zip, with
    ``fingerprint.json`` (the inputs); characters no file system takes replaced, duplicates numbered."""
    import json
    import re

    buf = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for tname, df in tables.items():
            base = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", str(tname)).strip(" ._") or "table"
            stem, n = base, 1
            while stem in used:
                n += 1
                stem = f"{base}_{n}"
            used.add(stem)
            zf.writestr(f"{stem}.csv", "\ufeff" + to_csv(df))
        zf.writestr("fingerprint.json", json.dumps(dict(fingerprint), ensure_ascii=False, indent=2, default=str))
    return buf.getvalue()


def render_result(
    name: str,
    fingerprint: Mapping[str, Any],
    tables: Mapping[str, pl.DataFrame],
    fmt: str,
    *,
    job: Any = None,
    charts: ChartSpec | None = None,
) -> bytes:
    """Result tables as file content in ``fmt`` (xlsx, json, csv = first table, zip = every table as CSV, html,
    pdf); the job's kind finds the tables' declarations (descriptions, owners)."""
    kind = getattr(job, "kind", None)
    if fmt == "pdf":
        return html_to_pdf(html_report(name, fingerprint, tables, charts=charts, kind=kind, paper=True))
    if fmt == "json":
        return to_json(tables, fingerprint, kind=kind).encode("utf-8")
    if fmt == "csv":
        first = next(iter(tables.values()), pl.DataFrame())
        return to_csv(first).encode("utf-8")
    if fmt == "zip":
        return csv_zip(tables, fingerprint)
    if fmt == "html":
        return html_report(name, fingerprint, tables, charts=charts, kind=kind).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="importsub-report-") as tmp:
        path = Path(tmp) / "report.xlsx"
        flat = {k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in fingerprint.items()}
        write_xlsx(
            tables, path, flat, kind=kind, lang=current_language()
        )  # sheets and headers in Russian on a Russian request
        return path.read_bytes()
