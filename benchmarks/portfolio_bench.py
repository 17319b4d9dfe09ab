"""Benchmark of the portfolio model: the monolithic MIP, its Benders decomposition, and exhaustive
enumeration (never a timed test).

Cases (one summary line per case and method, then its sampled baseline):

* ``demo``: the by-ru-auto network with its four public projects plus ten
  synthetic ones (14 in all, one capacity level each) and ``--scenarios``
  synthetic disruption scenarios, year 2028;
* ``1k``, ``3k``, ``10k`` (``Nk``): a synthetic network of N thousand sites with 14 synthetic
  projects and ``--scenarios`` synthetic scenarios (:func:`importsub.analysis.portfolio.synth_projects`,
  :func:`~importsub.analysis.portfolio.synth_scenarios`).

Per case and method (``--methods``, default ``mip,benders``): ``build`` (compile the super network
and every scenario's TTR model, assemble the model; for Benders also split it into the master and
one LP per scenario), ``solve`` (budget = half of all capex, loss objective), how it ended (status,
optimality gap from the best bound and the incumbent, iterations), peak memory of build + solve.
The MIP runs under ``--mip-limit`` seconds (its gap at the limit is stated); Benders under
``--time-limit`` to ``--gap``.  Where both finish, ``ratio vs MIP = (MIP build + solve) /
(Benders build + solve)`` and whether they agree (objective to 1e-6, same chosen set).

Baseline measured in the same run: **exhaustive enumeration of all 2^14 = 16,384 subsets**, each
evaluated the way one would without the model — apply the projects, compile, solve the TTR model
of every scenario (:func:`~importsub.analysis.portfolio.evaluate_applied`).  It cannot finish here
(hours), so it is timed on a random sample of ``--sample`` subsets and extrapolated (stated as
such), giving ``ratio = enumeration / (build + solve)``.  A second, faster baseline enumerates with
the model's own LPs (``y`` fixed, warm re-solves), also sampled and extrapolated.  One sampled
subset is checked to give the same objective both ways and no sampled subset within budget beats
the optimum.

Usage::

    python benchmarks/portfolio_bench.py                                # demo, 1k; MIP and Benders
    python benchmarks/portfolio_bench.py --cases 3k --scenarios 50 --methods benders
    python benchmarks/portfolio_bench.py --cases 10k --scenarios 20 --methods benders --sample 1
    python benchmarks/portfolio_bench.py --cases 1k --methods benders --workers 2   # scenario LPs on 2 Dask workers
    python benchmarks/portfolio_bench.py --growth                       # scaling series within --limit seconds
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
from importsub.analysis.portfolio.solve import _prune
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


def _measured(ds: Dataset, year: int, scen: list[str], method: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build and solve with one method; times, memory and how it ended."""
    with Measure() as m_all:
        with Measure() as m_build:
            model = PortfolioModel.build(
                ds,
                scenarios=scen,
                year=year,
                objective="loss",
                method=method,
                workers=args.workers if method == "benders" else None,
            )
            if method == "mip":
                model.highs  # noqa: B018 - pass the model to HiGHS (part of the build)
            else:
                model.decomposition  # noqa: B018 - split into master and second-stage LPs (part of the build)
        budget = 0.5 * sum(o.capex for o in model.options)
        with Measure() as m_solve:
            if method == "mip":
                best = model.solve(budget, time_limit=args.mip_limit)
            else:
                best = model.solve(budget, gap=args.gap, time_limit=args.time_limit)
    return {"model": model, "budget": budget, "best": best, "build": m_build, "solve": m_solve, "all": m_all}


def run_case(name: str, make: Callable[[], tuple[Dataset, int]], args: argparse.Namespace) -> list[dict[str, Any]]:
    ds, year = make()
    scen = ds.scenarios.filter(pl.col("name").str.starts_with("S-")).get_column("name").to_list()
    runs = {m: _measured(ds, year, scen, m, args) for m in args.methods.split(",") if m}
    rows = []
    mip = runs.get("mip")
    mip_done = mip is not None and mip["best"].report.status == "optimal"
    for method, r in runs.items():
        model, best, budget = r["model"], r["best"], r["budget"]
        rep = best.report
        k = len(model.options)
        total = 2**k
        spent = r["build"].seconds + r["solve"].seconds
        ratio_mip = agree_mip = None
        if mip_done and method != "mip" and rep.status in ("optimal", "gap reached"):
            ratio_mip = (mip["build"].seconds + mip["solve"].seconds) / spent
            # among ties the cheaper choice (the same rule the result tables apply), then compare
            mb, bb = _prune(mip["model"], mip["best"]), _prune(model, best)
            agree_mip = abs(mb.objective - bb.objective) <= 1e-6 * max(abs(mb.objective), 1.0) and set(
                mb.chosen
            ) == set(bb.chosen)
        row = {
            "case": name,
            "method": method,
            "sites": ds.sites.height,
            "links": ds.supply_links.height,
            "projects": k,
            "scenarios": len(scen),
            "cols": int(model._A.shape[1]),
            "rows": int(model._A.shape[0]),
            "build [s]": r["build"].seconds,
            "solve [s]": r["solve"].seconds,
            "peak [MiB]": r["all"].peak_mib,
            "status": rep.status,
            "gap [%]": 100 * rep.gap,
            "iterations": rep.iterations,
            "chosen": len(best.chosen),
            "objective [RUB]": best.objective,
            "ratio vs MIP": ratio_mip,
            "agrees with MIP": agree_mip,
        }
        line = (
            f"{name:>12} {method:>7}: sites {row['sites']:>6,}  links {row['links']:>7,}  projects {k}  "
            f"scenarios {len(scen):>3}  model {row['cols']:,} cols × {row['rows']:,} rows  "
            f"build {row['build [s]']:7.2f} s  solve {row['solve [s]']:7.2f} s  peak {row['peak [MiB]']:7.1f} MiB  "
            f"{rep.status}, gap {row['gap [%]']:.4f} % (bound {rep.lower_bound:,.0f}, incumbent {rep.upper_bound:,.0f} RUB)  "
            f"{'nodes' if method == 'mip' else 'iterations'} {rep.iterations}"
            + (f", {rep.second_stage_solves} LP solves, {rep.cuts} cuts" if method != "mip" else "")
            + f"  funds {len(best.chosen)} of {k}, expected loss {best.objective:,.0f} RUB"
        )
        if ratio_mip is not None:
            line += f"  | ratio vs MIP {ratio_mip:.2f}x, same optimum: {agree_mip}"
        elif method != "mip" and mip is not None:
            line += f"  | MIP did not finish within {args.mip_limit:.0f} s ({mip['best'].report.status})"
        print(line, flush=True)  # the solve first: the sampled baseline can take long on large cases
        base = _baselines(model, best, budget, args) if args.sample > 0 else None
        if base is not None:
            row.update(base)
            hours = base["enum applied [s/subset]"] * total / 3600
            line = f"{name:>12} {method:>7}: baseline" + (
                f"  | enumeration of {total:,} subsets: apply+compile+TTR {base['enum applied [s/subset]']:.3f} s/subset "
                f"→ {hours:.2f} h (extrapolated from {base['sampled applied']}), ratio {hours * 3600 / spent:,.0f}x; "
                f"fixed-y warm LP {base['enum LP [s/subset]']:.3f} s/subset → "
                f"{base['enum LP [s/subset]'] * total / 60:.1f} min (from {base['sampled LP']}), "
                f"ratio {base['enum LP [s/subset]'] * total / spent:,.1f}x  "
                f"| same objective both ways: {base['agree']}; a sample beats the optimum: {base['beaten']}"
            )
            print(line, flush=True)
        rows.append(row)
        model.close()
    return rows


def _baselines(model: PortfolioModel, best: Any, budget: float, args: argparse.Namespace) -> dict[str, Any]:
    """Sampled enumeration: apply + compile + TTR per subset, and the model's own LPs with ``y`` fixed."""
    k = len(model.options)
    rng = np.random.default_rng(args.seed)
    subsets = sample_subsets(k, args.sample, rng)
    t0 = time.perf_counter()
    applied = {s: evaluate_applied(model, s) for s in subsets}
    per_applied = (time.perf_counter() - t0) / len(subsets)
    lp_subsets = sample_subsets(k, max(args.lp_sample, 2), rng)
    model.evaluate(lp_subsets[0])  # the first LP solve is cold; time the warm re-solves
    t0 = time.perf_counter()
    fixed = {s: model.evaluate(s) for s in lp_subsets[1:]}
    per_lp = (time.perf_counter() - t0) / max(len(lp_subsets) - 1, 1)
    # checks: the two evaluations agree; nothing sampled within budget beats the optimum
    s0 = subsets[0]
    agree = abs(applied[s0].objective - model.evaluate(s0).objective) <= 1e-6 * max(abs(applied[s0].objective), 1.0)
    within = [e for e in [*applied.values(), *fixed.values()] if e.capex <= budget]
    beaten = any(e.objective < best.report.lower_bound - 1e-6 * max(abs(best.objective), 1.0) for e in within)
    return {
        "enum applied [s/subset]": per_applied,
        "enum LP [s/subset]": per_lp,
        "agree": agree,
        "beaten": beaten,
        "sampled applied": len(subsets),
        "sampled LP": len(lp_subsets) - 1,
    }


def _case(name: str, scenarios: int, seed: int) -> tuple[str, Callable[[], tuple[Dataset, int]]] | None:
    if name == "demo":
        return "demo", lambda: demo_case(scenarios, seed)
    if name.endswith("k") and name[:-1].isdigit():
        sites = int(name[:-1]) * 1000
        return f"synth-{name}-{scenarios}", lambda: synth_case(sites, scenarios, seed)
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="demo,1k", help="comma list of: demo, 1k, 3k, 10k (N thousand sites)")
    ap.add_argument("--scenarios", type=int, default=50, help="synthetic scenarios of every case")
    ap.add_argument("--methods", default="mip,benders", help="comma list of: mip, benders")
    ap.add_argument("--mip-limit", type=float, default=600.0, help="seconds the monolithic MIP may take")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds the decomposition may take")
    ap.add_argument("--gap", type=float, default=1e-6, help="relative optimality gap at which Benders stops")
    ap.add_argument("--workers", type=int, default=0, help="Benders: second-stage LPs on a local Dask cluster (≥ 2)")
    ap.add_argument("--sample", type=int, default=6, help="subsets evaluated by apply+compile+TTR (0: no baseline)")
    ap.add_argument("--lp-sample", type=int, default=30, help="subsets evaluated by warm LP re-solves")
    ap.add_argument("--growth", action="store_true", help="then the scaling series (sites × scenarios)")
    ap.add_argument("--growth-scenarios", default="10,20,50", help="scenario counts of the growth series (1k sites)")
    ap.add_argument("--sites", default="1000,3000,10000", help="site counts of the growth series (50 scenarios)")
    ap.add_argument("--limit", type=float, default=600.0, help="seconds the growth series may take in all")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    print(
        f"portfolio benchmark: {PROJECTS} projects, loss objective, budget = half of all capex, methods {args.methods}",
        flush=True,
    )
    for c in [c for c in args.cases.split(",") if c]:
        case = _case(c, args.scenarios, args.seed)
        if case is None:
            print(f"unknown case {c!r}", file=sys.stderr)
            return 2
        run_case(*case, args)
    if not args.growth:
        return 0
    # growth: scenarios at 1k sites, then sites at 50 scenarios, while the time budget lasts
    start = time.perf_counter()
    series = [(1000, int(s)) for s in args.growth_scenarios.split(",") if s] + [
        (int(n), 50) for n in args.sites.split(",") if n and int(n) != 1000
    ]
    last: dict[int, float] = {}
    small = argparse.Namespace(**{**vars(args), "sample": 2, "lp_sample": 10})
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
        run_case(f"synth-{sites // 1000}k-{sc}", lambda s=sites, c=sc: synth_case(s, c, args.seed), small)
        if sc == 50:
            last[sites] = time.perf_counter() - t0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
