"""Benchmark of the portfolio MIP against exhaustive enumeration (never a timed test).

Cases (one summary line each):

* ``demo``: the by-ru-auto network with its four public projects plus ten
  synthetic ones (14 in all, one capacity level each) and 50 synthetic
  disruption scenarios, year 2028;
* ``synth-Nk-S``: a synthetic network of N thousand sites with 14 synthetic
  projects and S synthetic scenarios (:func:`importsub.analysis.portfolio.synth_projects`,
  :func:`~importsub.analysis.portfolio.synth_scenarios`).

Per case: ``build`` (compile the super network and every scenario's TTR
model, assemble the MIP), ``mip`` (HiGHS branch and bound, budget = half of
all capex, loss objective), peak memory of build + solve, and the baseline
measured in the same run: **exhaustive enumeration of all 2^14 = 16,384
subsets**, each evaluated the way one would without the MIP — apply the
projects, compile, solve the TTR model of every scenario
(:func:`~importsub.analysis.portfolio.evaluate_applied`).  It cannot finish
here (hours), so it is timed on a random sample of subsets and extrapolated
(stated as such), giving ``ratio = enumeration / (build + mip)``.  A second,
faster baseline enumerates with the MIP's own model (``y`` fixed, warm LP
re-solves), also sampled and extrapolated.  One sampled subset is checked to
give the same objective both ways and no sampled subset within budget beats
the MIP.

Usage::

    python benchmarks/portfolio_bench.py                 # demo, 1k; then scaling within --limit seconds
    python benchmarks/portfolio_bench.py --cases demo --sample 4
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from _measure import Measure

from importsub import demo
from importsub.analysis.portfolio import PortfolioModel, evaluate_applied, synth_projects, synth_scenarios
from importsub.demo.synth import synth
from importsub.model.dataset import Dataset

PROJECTS = 14


def one_level(ds: Dataset) -> Dataset:
    """Every project at a single capacity level, so that there are exactly 2^14 subsets."""
    return ds.replace(projects=ds.projects.with_columns(pl.lit(1.0).alias("max_scale")))


def demo_case(scenarios: int, seed: int) -> tuple[Dataset, int]:
    ds = demo.load()
    ds = synth_projects(ds, PROJECTS - ds.projects.height, seed=seed, year=2026)
    ds = synth_scenarios(ds, scenarios, seed=seed, year=2028)
    ds = ds.replace(scenario_projects=ds.scenario_projects.head(0))
    return one_level(ds), 2028


def synth_case(sites: int, scenarios: int, seed: int) -> tuple[Dataset, int]:
    ds = synth(sites, seed=seed)
    ds = synth_projects(ds, PROJECTS, seed=seed)
    ds = synth_scenarios(ds, scenarios, seed=seed)
    return one_level(ds), int(ds.demand.get_column("year").max())  # type: ignore[arg-type]


def _available_mib() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


def sample_subsets(k: int, n: int, rng: np.random.Generator) -> list[tuple[int, ...]]:
    out = set()
    while len(out) < min(n, 2**k):
        mask = rng.random(k) < 0.5
        out.add(tuple(int(i) for i in np.flatnonzero(mask)))
    return sorted(out)


def run_case(
    name: str, make: Callable[[], tuple[Dataset, int]], sample: int, lp_sample: int, seed: int
) -> dict[str, Any]:
    ds, year = make()
    scen = ds.scenarios.filter(pl.col("name").str.starts_with("S-")).get_column("name").to_list()
    with Measure() as m_all:
        with Measure() as m_build:
            model = PortfolioModel.build(ds, scenarios=scen, year=year, objective="loss")
            model.highs  # noqa: B018 - pass the model to HiGHS (part of the build)
        budget = 0.5 * sum(o.capex for o in model.options)
        with Measure() as m_mip:
            best = model.solve(budget)
    k = len(model.options)
    rng = np.random.default_rng(seed)
    subsets = sample_subsets(k, sample, rng)
    t0 = time.perf_counter()
    applied = {s: evaluate_applied(model, s) for s in subsets}
    per_applied = (time.perf_counter() - t0) / len(subsets)
    lp_subsets = sample_subsets(k, lp_sample, rng)
    model.evaluate(lp_subsets[0])  # first LP solve is cold; time the warm re-solves
    t0 = time.perf_counter()
    fixed = {s: model.evaluate(s) for s in lp_subsets[1:]}
    per_lp = (time.perf_counter() - t0) / max(len(lp_subsets) - 1, 1)
    # checks: the two evaluations agree; nothing sampled within budget beats the MIP
    s0 = subsets[0]
    agree = abs(applied[s0].objective - model.evaluate(s0).objective) <= 1e-6 * max(abs(applied[s0].objective), 1.0)
    within = [e for e in [*applied.values(), *fixed.values()] if e.capex <= budget]
    beaten = any(e.objective < best.objective - 1e-6 * max(abs(best.objective), 1.0) for e in within)
    none = model.evaluate(()).objective
    total = 2**k
    mip_time = m_build.seconds + m_mip.seconds
    row = {
        "case": name,
        "sites": ds.sites.height,
        "links": ds.supply_links.height,
        "projects": k,
        "scenarios": len(scen),
        "mip cols": int(model._A.shape[1]),
        "mip rows": int(model._A.shape[0]),
        "build [s]": m_build.seconds,
        "mip [s]": m_mip.seconds,
        "peak [MiB]": m_all.peak_mib,
        "chosen": len(best.chosen),
        "enum applied [s/subset]": per_applied,
        "enum applied, all subsets [s]": per_applied * total,
        "ratio applied": per_applied * total / mip_time,
        "enum LP [s/subset]": per_lp,
        "ratio LP": per_lp * total / mip_time,
        "agree": agree,
        "mip beaten by a sample": beaten,
        "sampled": f"{len(subsets)} + {len(lp_subsets)}",
    }
    hours = per_applied * total / 3600
    print(
        f"{name:>16}: sites {row['sites']:>6,}  links {row['links']:>7,}  projects {k}  scenarios {len(scen):>3}  "
        f"MIP {row['mip cols']:,} cols × {row['mip rows']:,} rows  build {m_build.seconds:6.2f} s  "
        f"mip {m_mip.seconds:7.2f} s  peak {m_all.peak_mib:7.1f} MiB  funds {len(best.chosen)} of {k}, "
        f"expected loss {best.objective:,.0f} RUB (none {none:,.0f})  | enumeration of {total:,} subsets: "
        f"apply+compile+TTR {per_applied:.3f} s/subset → {hours:.2f} h (extrapolated from {len(subsets)}), "
        f"ratio {row['ratio applied']:,.0f}x; fixed-y warm LP {per_lp:.3f} s/subset → "
        f"{per_lp * total / 60:.1f} min (from {len(lp_subsets) - 1}), ratio {row['ratio LP']:,.1f}x  "
        f"| same objective both ways: {agree}; a sample beats the MIP: {beaten}",
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="demo,1k", help="comma list of: demo, 1k (14 projects, 50 scenarios)")
    ap.add_argument("--scenarios", default="10,20,50", help="scenario counts of the growth series (1k sites)")
    ap.add_argument("--sites", default="1000,3000,10000", help="site counts of the growth series (50 scenarios)")
    ap.add_argument("--limit", type=float, default=600.0, help="seconds the growth series may take in all")
    ap.add_argument("--sample", type=int, default=6, help="subsets evaluated by apply+compile+TTR")
    ap.add_argument("--lp-sample", type=int, default=30, help="subsets evaluated by warm LP re-solves")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    print(f"portfolio benchmark: {PROJECTS} projects, loss objective, budget = half of all capex", flush=True)
    for c in cases:
        if c == "demo":
            run_case("demo", lambda: demo_case(50, args.seed), args.sample, args.lp_sample, args.seed)
        elif c == "1k":
            run_case("synth-1k-50", lambda: synth_case(1000, 50, args.seed), args.sample, args.lp_sample, args.seed)
        else:
            print(f"unknown case {c!r}", file=sys.stderr)
            return 2
    # growth: scenarios at 1k sites, then sites at 50 scenarios, while the time budget lasts
    start = time.perf_counter()
    series = [(1000, int(s)) for s in args.scenarios.split(",") if s] + [
        (int(n), 50) for n in args.sites.split(",") if n and int(n) != 1000
    ]
    last: dict[int, float] = {}
    for sites, sc in series:
        spent = time.perf_counter() - start
        # a rough guess: time grows at least linearly with sites × scenarios
        guess = max((t * sites / n for n, t in last.items()), default=0.0)
        if spent + guess > args.limit:
            print(
                f"  skipped synth-{sites // 1000}k-{sc}: about {guess:.0f} s more would pass the {args.limit:.0f} s limit"
            )
            continue
        t0 = time.perf_counter()
        run_case(f"synth-{sites // 1000}k-{sc}", lambda s=sites, c=sc: synth_case(s, c, args.seed), 2, 10, args.seed)
        if sc == 50:
            last[sites] = time.perf_counter() - t0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
