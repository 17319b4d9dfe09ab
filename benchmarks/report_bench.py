"""Executive summary vs the full HTML report of the same result, and the Russian XLSX vs the English one.

Each case renders one result of the demo dataset (the analysis runs once, outside the timing), ``--repeat``
times; the baseline is the full HTML report (``web.services.reports.html_report``) of the same tables in the
same process.  One line per case: median seconds, ratio to the baseline, peak memory rise.

    PYTHONPATH=src python benchmarks/report_bench.py [--kinds shock,sweep,montecarlo] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _measure import Measure

import importsub.demo as demo
from importsub.reports.tables import write_xlsx
from importsub.web import i18n
from importsub.web.services import reports, summary
from importsub.web.services.catalogue import build_analyses
from importsub.web.templating import make_templates

PARAMS: dict[str, dict[str, Any]] = {
    "shock": {"scenario": "cn-8w"},
    "sweep": {"by": "site", "weeks": 8},
    "montecarlo": {"runs": 200, "site_probability": 0.05},
}

FP = {"dataset": "demo"}
"""The fingerprint every case's report carries."""


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times, peak = [], 0.0
    for _ in range(repeat):
        with Measure() as m:
            fn()
        times.append(m.seconds)
        peak = max(peak, m.peak_mib)
    return statistics.median(times), peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kinds", default="shock,sweep,montecarlo")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    ds = demo.load()
    analyses = build_analyses()
    env = make_templates().env
    token = i18n.set_language("ru")
    try:
        for kind in [k for k in args.kinds.split(",") if k]:
            if kind not in analyses:
                print(f"unknown kind {kind!r}", file=sys.stderr)
                return 2
            spec = analyses[kind]
            tables = spec.run(ds, spec.params(**PARAMS.get(kind, {})), lambda done, message=None: None).tables

            def full(tables: Any = tables, kind: str = kind) -> str:
                return reports.html_report(kind, FP, tables, kind=kind)

            def brief(tables: Any = tables, kind: str = kind) -> str:
                s = summary.summary(kind, kind, tables, dataset="demo", version=1, fingerprint=FP)
                return summary.summary_html(env, s)

            with tempfile.TemporaryDirectory() as tmp:

                def xlsx(lang: str, tables: Any = tables, kind: str = kind, tmp: str = tmp) -> None:
                    write_xlsx(tables, Path(tmp) / f"{lang}.xlsx", FP, kind=kind, lang=lang)

                base, base_mib = _median(full, args.repeat)
                rows = sum(df.height for df in tables.values())
                print(f"{kind}: full HTML report (baseline) {base:.4f} s, peak +{base_mib:.1f} MiB, {rows} rows")
                for name, fn in (
                    ("summary HTML", brief),
                    ("XLSX en", lambda: xlsx("en")),
                    ("XLSX ru", lambda: xlsx("ru")),
                ):
                    sec, mib = _median(fn, args.repeat)
                    print(f"{kind}: {name} {sec:.4f} s = {sec / base:.2f}× baseline, peak +{mib:.1f} MiB")
    finally:
        i18n.reset_language(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
