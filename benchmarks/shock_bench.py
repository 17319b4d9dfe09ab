"""Disruption engine benchmark: node sweeps and Monte Carlo on synthetic networks.

Cases (one summary line each, time and peak memory from ``_measure.Measure``):

1. ``sweep-<N>`` / ``sweep-<N>-dask2``: full node sweep (every node down
   for its own time to recover, nothing extrapolated) of an ``N``-site
   network, in process and on 2 Dask workers (``--workers``): wall time,
   CPU time (this process and the closed workers), peak memory of this
   process, targets per second, share settled by screening, LP re-solves
   and how each was settled (``how``: a certificate of the restricted
   re-solve, ``plan``, ``dual`` or ``lagrangian``, or why the whole model was
   re-solved: ``size``, ``rounds``, ``solver``).
   ``vs-whole-<N>``: a random sample of the sweep's LP targets re-solved
   restricted and as whole models in the same process: ms per target and
   ratio (the unrestricted baseline), losses compared.
2. ``naive-1k``: the baseline measured in the same run — for a random
   sample of 20 nodes of the 1k network, rebuild the TTR model in PuLP and
   solve it with CBC (the baseline of each window once, then the shocked
   model per node); the losses must equal the sweep's; ratio of time per node.
   ``periods-<N>-<by>``: what the periods cost — LP re-solves of the same
   targets (a sample of ``--periods-targets``, default 150) on the
   single-window model (before) and on the phased model (after, one period
   per breakpoint of the target's availability), time per target and ratio.
3. ``sweep-<N>-sampled``: for networks too large to sweep here, screening is
   run on every node and LP re-solves on a random sample; the total is
   *extrapolated* (stated as such), in process and with a 2-worker Dask
   LocalCluster.
4. ``montecarlo-<N>``: scenarios per second (end to end, without and with
   the baseline LP), the propagation kernel's scenarios per second and
   effective bandwidth (bytes its numpy/scipy passes move / time) against a
   numpy triad on arrays of the same total size measured in the same run,
   and peak memory.

Usage::

    python benchmarks/shock_bench.py              # 1k and 3k sweeps, naive baseline, MC on 10k
    python benchmarks/shock_bench.py --sizes 1000 3000 10000 --sample 300
    python benchmarks/shock_bench.py --sizes --sampled --naive 0 --mc-runs 10000 100000   # Monte Carlo only
    python benchmarks/shock_bench.py --sizes 10000 --sampled --mc-runs --naive 0 --no-periods
        # full 10k sweep (every target), in process and on 2 Dask workers, and a sample of its LP targets
        # re-solved restricted and as whole models (vs-whole-10000: the ratio, measured in the same run)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _measure import Measure

from importsub.analysis.disruption import PhasedTTR, TTRModel, _solve_targets, period_ends, sweep, sweep_targets
from importsub.analysis.montecarlo import (
    MonteCarloSpec,
    Plan,
    Propagator,
    _Sampler,
    chunk_size,
    montecarlo,
    reference_plan,
)
from importsub.analysis.ttr_sweep import target_shock
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.demo.synth import synth


def line(case: str, m: Measure, **info: object) -> None:
    extra = "  ".join(f"{k}={v}" for k, v in info.items())
    print(f"{case:<22} {m.seconds:9.2f} s  peak {m.peak_mib:8.1f} MiB  {extra}", flush=True)


def _max_diff(a: Any, b: Any) -> float:
    """Largest difference of PI [RUB] between two sweeps of the same targets."""
    key = "target"
    pa = a["targets"].sort(key).get_column("performance impact [RUB]").to_numpy()
    pb = b["targets"].sort(key).get_column("performance impact [RUB]").to_numpy()
    return float(np.max(np.abs(pa - pb))) if pa.size else 0.0


# ---------------------------------------------------------------- naive baseline (PuLP + CBC, rebuilt per node)


def pulp_lost_margin(net: Network, shock: Shock | None, t: float) -> float:
    """The TTR model written with PuLP, variable by variable, solved with CBC."""
    import pulp

    tau = t / WEEKS_PER_YEAR
    a = shock.node_available(t) if shock is not None else np.ones(net.n_nodes)
    x = TTRModel(net).gross_output
    normal = np.asarray(net.need @ x)
    prob = pulp.LpProblem("ttr", pulp.LpMinimize)
    p = [pulp.LpVariable(f"p{j}", 0, float(net.capacity[j] * tau * a[j])) for j in range(net.n_nodes)]
    f = []
    for e in range(net.n_links):
        ub = None if net.link_qualified[e] else float(net.link_share[e] * normal[net.link_group[e]] * tau)
        f.append(pulp.LpVariable(f"f{e}", 0, ub))
    final = np.flatnonzero(net.demand > 0)
    y = {int(j): pulp.LpVariable(f"y{j}", 0, float(net.demand[j] * tau)) for j in final}
    prob += pulp.lpSum(float(net.margin[j] * net.demand[j] * tau) - float(net.margin[j]) * y[j] for j in y)
    out: list[list[int]] = [[] for _ in range(net.n_nodes)]
    into: list[list[int]] = [[] for _ in range(net.need.shape[0])]
    for e in range(net.n_links):
        out[int(net.link_supplier[e])].append(e)
        into[int(net.link_group[e])].append(e)
    for j in range(net.n_nodes):
        prob += pulp.lpSum(f[e] for e in out[j]) + (y.get(j, 0)) - p[j] <= float(net.stock[j])
    need = net.need.tocsr()
    for g in range(need.shape[0]):
        cols = need.indices[need.indptr[g] : need.indptr[g + 1]]
        vals = need.data[need.indptr[g] : need.indptr[g + 1]]
        prob += pulp.lpSum(float(v) * p[int(c)] for c, v in zip(cols, vals, strict=True)) - pulp.lpSum(
            f[e] for e in into[g]
        ) <= float(net.group_stock[g])
    for k in range(net.pool_capacity.size):
        members = np.flatnonzero(net.pool == k)
        if members.size:
            prob += pulp.lpSum(p[int(j)] for j in members) <= float(net.pool_capacity[k] * tau * a[members].max())
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    if pulp.LpStatus[prob.status] != "Optimal":
        raise RuntimeError(f"CBC: {pulp.LpStatus[prob.status]}")
    return float(pulp.value(prob.objective))


def naive_sample(net: Network, nodes: np.ndarray) -> tuple[dict[int, float], float]:
    base: dict[float, float] = {}
    pis: dict[int, float] = {}
    t0 = time.perf_counter()
    for i in nodes:
        t = float(net.ttr[i])
        if t <= 0:
            pis[int(i)] = 0.0
            continue
        if t not in base:
            base[t] = pulp_lost_margin(net, None, t)
        pis[int(i)] = pulp_lost_margin(net, Shock.single_node(net, int(i)), t) - base[t]
    return pis, time.perf_counter() - t0


# ---------------------------------------------------------------- what the periods cost


def periods_cost(net: Network, by: str, limit: int, rng: np.random.Generator) -> dict[str, float]:
    """LP re-solves of the same targets, single window (before) and phased (after), each warm from its baseline.

    Targets: up to ``limit`` of the sweep's (a random sample when there are more), one
    model per window (before) or per period count (after); losses must agree where one period.
    """
    targets = sweep_targets(net, by)
    targets = [tg for tg in targets if tg.window > 0]
    if len(targets) > limit:
        targets = [targets[int(i)] for i in rng.choice(len(targets), size=limit, replace=False)]
    shocks = [target_shock(net, tg, 1.0) for tg in targets]
    t0 = time.perf_counter()
    single = TTRModel(net)
    base1: dict[float, Any] = {}
    for tg, sh in zip(targets, shocks, strict=True):
        if tg.window not in base1:
            single.set_shock(None, tg.window)
            single.solve(values=False)
            base1[tg.window] = single.basis()
        single.set_shock(sh, tg.window)
        single.set_basis(base1[tg.window], key=tg.window)
        single.solve(values=False)
    before = time.perf_counter() - t0
    t0 = time.perf_counter()
    models: dict[int, PhasedTTR] = {}
    base2: dict[tuple[float, ...], Any] = {}
    periods = 0
    for tg, sh in zip(targets, shocks, strict=True):
        ends = period_ends(sh, tg.window)
        periods += ends.size
        m = models.get(ends.size) or models.setdefault(ends.size, PhasedTTR(net, int(ends.size)))
        key = tuple(ends.tolist())
        if key not in base2:
            m.set_shock(None, tg.window, ends)
            m.solve(values=False)
            base2[key] = m.basis()
        m.set_shock(sh, tg.window, ends)
        m.set_basis(base2[key], key=key)
        m.solve(values=False)
    after = time.perf_counter() - t0
    return {
        "targets": len(targets),
        "mean_periods": periods / max(1, len(targets)),
        "structures": len(base2),
        "before_ms": 1000 * before / max(1, len(targets)),
        "after_ms": 1000 * after / max(1, len(targets)),
    }


# ---------------------------------------------------------------- sampled sweep (large networks)


def sampled_sweep(net: Network, sample: int, workers: int | None, rng: np.random.Generator) -> dict[str, float]:
    """Screen every node, LP re-solve a sample of the rest; extrapolate the total time."""
    from importsub.distributed import map_chunks

    targets = sweep_targets(net, "node")
    t0 = time.perf_counter()
    windows = sorted({tg.window for tg in targets if tg.window > 0})
    model = TTRModel(net)
    payload = {}
    plans = {}
    for t in windows:
        model.set_shock(None, t)
        sol = model.solve()
        payload[(t,)] = (sol.lost_margin, model.basis())
        plans[t] = Plan.from_flows(net, t, sol.p, sol.f, sol.y_nodes, sol.lost_margin)  # type: ignore[arg-type]
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    remaining: list[int] = []
    for t in windows:
        ks = [k for k, tg in enumerate(targets) if tg.window == t]
        prop = Propagator(net, plans[t])
        tol = model.zero_tolerance(t)
        for s in range(0, len(ks), 256):
            block = ks[s : s + 256]
            avail = np.ones((net.n_nodes, len(block)))
            for c, k in enumerate(block):
                avail[targets[k].nodes, c] = 0.0
            ub = prop.extra_loss(prop.run(avail)).sum(axis=0)
            remaining += [k for c, k in enumerate(block) if ub[c] > tol]
    t_screen = time.perf_counter() - t0
    pick: Any = rng.choice(remaining, size=min(sample, len(remaining)), replace=False) if remaining else []
    items = [(int(k), targets[k].nodes, targets[k].weeks, targets[k].window) for k in pick]
    tasks = [items[i : i + 16] for i in range(0, len(items), 16)]
    t0 = time.perf_counter()
    map_chunks(_solve_targets, tasks, shared=(net, payload), extra=(1.0,), workers=workers)
    t_lp = time.perf_counter() - t0
    per_lp = t_lp / max(1, len(items))
    return {
        "nodes": net.n_nodes,
        "screened": 1 - len(remaining) / len(targets),
        "lp_needed": len(remaining),
        "sampled": len(items),
        "baselines_s": t_base,
        "screen_s": t_screen,
        "per_lp_s": per_lp,
        "extrapolated_s": t_base + t_screen + per_lp * len(remaining),
    }


# ---------------------------------------------------------------- full sweeps: restricted against whole-model re-solves


def cpu_seconds() -> float:
    """CPU time [s] of this process and of its waited-for children (a local cluster's workers, once closed)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def restricted_vs_whole(net: Network, sample: int, rng: np.random.Generator) -> dict[str, Any]:
    """The same sample of LP targets re-solved restricted and as whole models, in this process.

    The sweep's own stages (baselines, screening, phased baselines) give the
    targets that need an LP; a random ``sample`` of them is re-solved by
    ``_solve_targets`` with the restricted baselines (restricted first) and
    without (whole model, warm from the baseline basis).  Losses must agree.
    """
    from importsub.analysis import ttr_sweep as S

    targets = sweep_targets(net, "node")
    windows = sorted({tg.window for tg in targets if tg.window > 0})
    payload, plans = S._baselines(net, TTRModel(net), windows, None, True)
    bound = np.full(len(targets), np.nan)
    settled = np.array([tg.window <= 0 for tg in targets], dtype=np.bool_)
    S._screen_windows(net, TTRModel(net), targets, windows, plans, 1.0, bound, settled, S._Fanout(None, None, None))
    payload.update(S._phased_baselines(net, targets, settled, 1.0, 0.0, set(payload), True))
    lp = np.flatnonzero(~settled)
    pick = rng.choice(lp, size=min(sample, lp.size), replace=False) if lp.size else lp
    items = [(int(k), targets[k].nodes, targets[k].weeks, targets[k].window) for k in pick]
    whole_payload = {key: v[:2] for key, v in payload.items()}
    S._solve_targets(net, payload, items[:1], 1.0)  # warm: models and structures built outside the timing
    _forget_bases(net)
    t0 = time.perf_counter()
    got = S._solve_targets(net, payload, items, 1.0)
    t_restricted = time.perf_counter() - t0
    _forget_bases(net)  # each run converts the baseline bases it needs itself
    t0 = time.perf_counter()
    ref = S._solve_targets(net, whole_payload, items, 1.0)
    t_whole = time.perf_counter() - t0
    how: dict[str, int] = {}
    for _, _, h in got:
        how[h] = how.get(h, 0) + 1
    diff = max((abs(a[1] - b[1]) for a, b in zip(got, ref, strict=True)), default=0.0)
    return {
        "sampled": len(items),
        "restricted_ms": 1000 * t_restricted / max(1, len(items)),
        "whole_ms": 1000 * t_whole / max(1, len(items)),
        "how": how,
        "max_diff": diff,
    }


def _forget_bases(net: Network) -> None:
    """Drop the converted baseline bases the shared phased models keep (neither run inherits the other's)."""
    from importsub.analysis.ttr_phased import _PHASED

    for model in _PHASED.get(net, {}).values():
        model._bases.clear()


def _counts(stats: dict[str, int]) -> str:
    """``dual:12,size:30`` (certificates, then the reasons a target was re-solved as a whole)."""
    return ",".join(f"{k}:{v}" for k, v in sorted(stats.items())) or "-"


# ---------------------------------------------------------------- Monte Carlo bandwidth


def triad_bandwidth(total_bytes: float, dtype: type = np.float32, repeat: int = 7) -> float:
    """Bytes per second of the numpy triad ``a = b + s · c`` on three arrays of ``total_bytes`` together.

    numpy needs two passes (``a = s · c``, then ``a += b``): five array
    streams of ``n`` values, counted like the kernel's passes.  Best of
    ``repeat`` (enough repeats for at least ~20 ms per measurement).
    """
    isz = np.dtype(dtype).itemsize
    n = max(1024, int(total_bytes / (3 * isz)))
    b: np.ndarray = np.random.default_rng(0).random(n).astype(dtype)
    c: np.ndarray = np.random.default_rng(1).random(n).astype(dtype)
    a = np.empty_like(b)
    s = dtype(3.0)
    inner = max(1, int(2e7 / (5 * isz * n)))  # ~20 MB streamed per timing at least
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            np.multiply(c, s, out=a)
            np.add(a, b, out=a)
        best = min(best, (time.perf_counter() - t0) / inner)
    return 5 * isz * n / best


def montecarlo_case(sites: int, runs: int, seed: int, chunk: int | None, float32: bool = True) -> None:
    """Monte Carlo on a ``sites``-site network: one summary line.

    * end to end: ``montecarlo`` (draws, propagation, statistics, worst 1 %)
      with the reference plan computed beforehand (the undisrupted TTR LP,
      timed apart as ``baseline_lp_s``, its own peak memory apart too), and
      with it (``scen_per_s_with_lp``);
    * kernel: the propagation (``Propagator.run_layout``) timed alone, chunk
      by chunk, over the same scenarios, with the bytes its passes move
      (``Propagator.traffic``) → effective bandwidth, against a numpy triad
      on arrays of the same total size as the kernel's working set (state +
      largest level's pair rows) measured right after, and a triad of
      240 MB (main memory) for reference.
    """
    net = compile(synth(sites, seed=seed))
    spec = MonteCarloSpec(runs=runs, seed=seed, window=13.0, chunk=chunk, float32=float32)
    with Measure() as m_lp:
        plan = reference_plan(net, spec.window)
    t_lp = m_lp.seconds
    with Measure() as m:
        montecarlo(net, spec, plan=plan)
    # the kernel alone, in place, on the same chunks (draws outside the timing)
    fin = np.flatnonzero(plan.Y > 0)
    oems, oem_of_final = np.unique(net.site_org[net.node_site[fin]], return_inverse=True)
    sampler = _Sampler.build(net, plan, spec, oem_of_final.astype(np.int64), int(oems.size))
    dtype = spec.dtype
    S = spec.chunk or chunk_size(sampler.prop, dtype)
    B = sampler.prop.new_state(S, dtype)
    sampler.prop.run_layout(sampler.availability(0, S, dtype, out=B))  # warm: kernel arrays cast once
    t_kernel = 0.0
    moved = 0.0
    for start in range(0, runs, S):
        size = min(S, runs - start)
        state = B if size == S else sampler.prop.new_state(size, dtype)
        sampler.availability(start, size, dtype, out=state)
        t0 = time.perf_counter()
        sampler.prop.run_layout(state)
        t_kernel += time.perf_counter() - t0
        moved += sampler.prop.traffic(size, dtype)["bytes"]
    footprint = sampler.prop.traffic(S, dtype)["footprint"]
    bw = moved / t_kernel
    triad = triad_bandwidth(footprint, dtype)
    triad_dram = triad_bandwidth(240e6, dtype, repeat=3)
    line(
        f"montecarlo-{sites}",
        m,
        runs=runs,
        nodes=net.n_nodes,
        links=net.n_links,
        float="32" if float32 else "64",
        chunk=S,
        scen_per_s=f"{runs / m.seconds:.0f}",
        baseline_lp_s=f"{t_lp:.2f}",
        baseline_lp_peak_MiB=f"{m_lp.peak_mib:.0f}",
        scen_per_s_with_lp=f"{runs / (m.seconds + t_lp):.0f}",
        kernel_scen_per_s=f"{runs / t_kernel:.0f}",
        eff_GBs=f"{bw / 1e9:.1f}",
        working_set_MiB=f"{footprint / 2**20:.1f}",
        triad_same_size_GBs=f"{triad / 1e9:.1f}",
        of_triad=f"{100 * bw / triad:.0f}%",
        triad_240MB_GBs=f"{triad_dram / 1e9:.1f}",
        of_triad_240MB=f"{100 * bw / triad_dram:.0f}%",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 3000], help="networks swept in full")
    ap.add_argument("--sampled", type=int, nargs="*", default=[10000], help="networks swept on a sample (extrapolated)")
    ap.add_argument("--sample", type=int, default=200, help="LP re-solves timed on the sampled networks")
    ap.add_argument("--mc-sites", type=int, default=10000)
    ap.add_argument("--mc-runs", type=int, nargs="*", default=[10000], help="Monte Carlo scenario counts (none: skip)")
    ap.add_argument("--mc-chunk", type=int, default=None, help="scenarios per chunk (default: fit the cache budget)")
    ap.add_argument("--mc-float64", action="store_true", help="propagate in float64 instead of float32")
    ap.add_argument("--naive", type=int, default=20, help="nodes of the 1k network rebuilt in PuLP + CBC")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unrestricted", action="store_true", help="also sweep re-solving the whole model per target")
    ap.add_argument("--dask", action="store_true", help="also sweep with a 2-worker Dask LocalCluster")
    ap.add_argument("--dask-only", action="store_true", help="sweep only with a 2-worker Dask LocalCluster")
    ap.add_argument("--no-periods", action="store_true", help="skip what the periods cost")
    ap.add_argument(
        "--workers",
        type=int,
        nargs="*",
        default=[0, 2],
        help="full sweeps of --sizes: 0 in process, N on N Dask workers",
    )
    ap.add_argument("--vs-whole", type=int, default=100, help="LP targets re-solved restricted and whole (0: skip)")
    ap.add_argument("--periods-targets", type=int, default=150, help="targets per case of the periods cost (sampled)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    per_node_ours = None
    for sites in args.sizes:
        net = compile(synth(sites, seed=args.seed))
        if args.unrestricted:
            with Measure() as mf:
                full = sweep(net, "node", restrict=False)
            line(
                f"sweep-{sites}-unrestricted",
                mf,
                nodes=net.n_nodes,
                lp=full["summary"].row(0, named=True)["LP re-solves"],
                per_node_ms=f"{1000 * mf.seconds / net.n_nodes:.2f}",
            )
        if args.vs_whole:
            with Measure() as mv:
                vw = restricted_vs_whole(net, args.vs_whole, np.random.default_rng(args.seed))
            line(
                f"vs-whole-{sites}",
                mv,
                sampled=vw["sampled"],
                restricted_ms=f"{vw['restricted_ms']:.1f}",
                whole_ms=f"{vw['whole_ms']:.1f}",
                ratio=f"{vw['whole_ms'] / max(vw['restricted_ms'], 1e-9):.2f}x",
                how=_counts(vw["how"]),
                max_diff_RUB=f"{vw['max_diff']:.3g}",
            )
        cases = [2] if args.dask_only else args.workers + ([2] if args.dask and 2 not in args.workers else [])
        for workers in cases:
            stats: dict[str, int] = {}
            cpu0 = cpu_seconds()
            with Measure() as m:
                r = sweep(net, "node", workers=workers or None, stats=stats)
            cpu = cpu_seconds() - cpu0
            s = r["summary"].row(0, named=True)
            per = m.seconds / net.n_nodes
            extra: dict[str, object] = {}
            if args.unrestricted:
                extra["vs_unrestricted"] = f"{mf.seconds / m.seconds:.2f}x"
                extra["max_diff_RUB"] = f"{_max_diff(full, r):.3g}"
            if args.vs_whole and vw["restricted_ms"] > 0:
                extra["sample_ratio_vs_whole"] = f"{vw['whole_ms'] / vw['restricted_ms']:.2f}x"
            line(
                f"sweep-{sites}" + (f"-dask{workers}" if workers else ""),
                m,
                full="yes (every target)",
                nodes=net.n_nodes,
                links=net.n_links,
                cpu_s=f"{cpu:.1f}",
                targets_per_s=f"{net.n_nodes / m.seconds:.1f}",
                screened=f"{s['settled by screening [%]']:.1f}%",
                zero_impact=f"{s['zero impact [%]']:.1f}%",
                lp=s["LP re-solves"],
                how=_counts(stats),
                per_node_ms=f"{1000 * per:.2f}",
                **extra,
            )
        for by in ("node", "site") if not args.no_periods else ():
            with Measure() as mp:
                pc = periods_cost(net, by, args.periods_targets, np.random.default_rng(args.seed))
            line(
                f"periods-{sites}-{by}",
                mp,
                targets=pc["targets"],
                mean_periods=f"{pc['mean_periods']:.2f}",
                structures=pc["structures"],
                single_window_ms=f"{pc['before_ms']:.2f}",
                phased_ms=f"{pc['after_ms']:.2f}",
                ratio=f"{pc['after_ms'] / max(pc['before_ms'], 1e-9):.2f}x",
            )
        if sites == 1000 and args.naive:
            per_node_ours = per
            sample = rng.choice(net.n_nodes, size=args.naive, replace=False)
            with Measure() as mn:
                naive, _ = naive_sample(net, sample)
            ours = r["targets"].select("node", "performance impact [RUB]")
            ours_pi = dict(
                zip(
                    ours.get_column("node").to_list(),
                    ours.get_column("performance impact [RUB]").to_list(),
                    strict=True,
                )
            )
            scale = max(1.0, float(r["summary"].get_column("largest PI [RUB]")[0]))
            diff = max(abs(max(naive[i], 0.0) - ours_pi[i]) for i in naive)
            # our zero tolerance clips crumbs; CBC's tolerances are ~1e-7 relative
            same = diff <= 1e-6 * scale
            naive_per = mn.seconds / len(sample)
            line(
                "naive-1k (PuLP+CBC)",
                mn,
                nodes=len(sample),
                per_node_ms=f"{1000 * naive_per:.1f}",
                ratio=f"{naive_per / per_node_ours:.1f}x",
                identical_losses=same,
                max_diff_RUB=f"{diff:.3g}",
            )
    for sites in args.sampled:
        net = compile(synth(sites, seed=args.seed))
        for workers in (None, 2):
            with Measure() as m:
                info = sampled_sweep(net, args.sample, workers, np.random.default_rng(args.seed))
            line(
                f"sweep-{sites}-sampled" + ("-dask2" if workers else ""),
                m,
                nodes=info["nodes"],
                screened=f"{100 * info['screened']:.1f}%",
                lp_needed=info["lp_needed"],
                sampled=info["sampled"],
                per_lp_ms=f"{1000 * info['per_lp_s']:.1f}",
                extrapolated_total_s=f"{info['extrapolated_s']:.0f} (EXTRAPOLATED from the sample)",
            )
    if args.mc_runs:
        for runs in args.mc_runs:
            montecarlo_case(args.mc_sites, runs, args.seed, args.mc_chunk, float32=not args.mc_float64)


if __name__ == "__main__":
    main()
