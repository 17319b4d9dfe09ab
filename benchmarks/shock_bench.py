"""Disruption engine benchmark: node sweeps and Monte Carlo on synthetic networks.

Cases (one summary line each, time and peak memory from ``_measure.Measure``):

1. ``sweep-<N>``: full node sweep (every node down for its own time to
   recover) of an ``N``-site network: total time, share of nodes settled by
   screening, LP re-solves, time per node.
2. ``naive-1k``: the baseline measured in the same run — for a random
   sample of 20 nodes of the 1k network, rebuild the TTR model in PuLP and
   solve it with CBC (the baseline of each window once, then the shocked
   model per node); the losses must equal the sweep's; ratio of time per node.
3. ``sweep-<N>-sampled``: for networks too large to sweep here, screening is
   run on every node and LP re-solves on a random sample; the total is
   *extrapolated* (stated as such), in process and with a 2-worker Dask
   LocalCluster.
4. ``montecarlo-<N>``: scenarios per second and effective memory bandwidth of
   propagation against a numpy triad measured in the same run.

Usage::

    python benchmarks/shock_bench.py              # 1k and 3k sweeps, naive baseline, MC on 10k
    python benchmarks/shock_bench.py --sizes 1000 3000 10000 --sample 300
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _measure import Measure

from importsub.analysis.disruption import TTRModel, _solve_targets, sweep, sweep_targets
from importsub.analysis.montecarlo import MonteCarloSpec, Plan, Propagator, draw_availability, montecarlo
from importsub.compile import compile
from importsub.compile.network import Network
from importsub.compile.shock import WEEKS_PER_YEAR, Shock
from importsub.demo.synth import synth


def line(case: str, m: Measure, **info: object) -> None:
    extra = "  ".join(f"{k}={v}" for k, v in info.items())
    print(f"{case:<22} {m.seconds:9.2f} s  peak {m.peak_mib:8.1f} MiB  {extra}", flush=True)


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
        payload[t] = (sol.lost_margin, model.basis())
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
    pick = rng.choice(remaining, size=min(sample, len(remaining)), replace=False) if remaining else []
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


# ---------------------------------------------------------------- Monte Carlo bandwidth


def triad_bandwidth(n: int = 20_000_000) -> float:
    """Bytes per second of ``a = b + s · c`` (float32, three arrays streamed), best of 3."""
    b = np.random.default_rng(0).random(n, dtype=np.float32)
    c = np.random.default_rng(1).random(n, dtype=np.float32)
    a = np.empty_like(b)
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        np.multiply(c, np.float32(3.0), out=a)
        np.add(a, b, out=a)
        best = min(best, time.perf_counter() - t0)
    # two passes: (read c, write a) + (read a, read b, write a) = 5 array streams
    return 5 * 4 * n / best


def propagation_bytes(prop: Propagator, scenarios: int) -> float:
    """Bytes the propagation streams per run of ``scenarios`` (float32): every β / γ row read or written once."""
    net = prop.net
    per_col = 0
    for lvl in prop.levels:
        per_col += lvl.W.nnz + lvl.groups.size * 2 + lvl.pair_pos.size + lvl.nodes.size * 3
    per_col += net.n_nodes * 3  # capacity fractions and β initialisation
    return 4.0 * per_col * scenarios


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 3000], help="networks swept in full")
    ap.add_argument("--sampled", type=int, nargs="*", default=[10000], help="networks swept on a sample (extrapolated)")
    ap.add_argument("--sample", type=int, default=200, help="LP re-solves timed on the sampled networks")
    ap.add_argument("--mc-sites", type=int, default=10000)
    ap.add_argument("--mc-runs", type=int, default=10000)
    ap.add_argument("--naive", type=int, default=20, help="nodes of the 1k network rebuilt in PuLP + CBC")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    per_node_ours = None
    for sites in args.sizes:
        net = compile(synth(sites, seed=args.seed))
        with Measure() as m:
            r = sweep(net, "node")
        s = r["summary"].row(0, named=True)
        per = m.seconds / net.n_nodes
        line(
            f"sweep-{sites}",
            m,
            nodes=net.n_nodes,
            links=net.n_links,
            screened=f"{s['settled by screening [%]']:.1f}%",
            zero_impact=f"{s['zero impact [%]']:.1f}%",
            lp=s["LP re-solves"],
            per_node_ms=f"{1000 * per:.2f}",
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
        net = compile(synth(args.mc_sites, seed=args.seed))
        spec = MonteCarloSpec(runs=args.mc_runs, seed=args.seed, window=13.0, chunk=256)
        with Measure() as m:
            montecarlo(net, spec)
        # propagation alone (draws excluded) for the bandwidth figure
        from importsub.analysis.montecarlo import reference_plan

        plan = reference_plan(net, spec.window)
        prop = Propagator(net, plan)
        avail, _ = draw_availability(net, spec, 0, spec.chunk)
        a32 = avail.astype(np.float32)
        prop.run(a32, dtype=np.float32)
        reps = 8
        t0 = time.perf_counter()
        for _ in range(reps):
            prop.run(a32, dtype=np.float32)
        dt = (time.perf_counter() - t0) / reps
        bw = propagation_bytes(prop, spec.chunk) / dt
        triad = triad_bandwidth()
        line(
            f"montecarlo-{args.mc_sites}",
            m,
            runs=spec.runs,
            nodes=net.n_nodes,
            scen_per_s=f"{spec.runs / m.seconds:.0f}",
            propagation_scen_per_s=f"{spec.chunk / dt:.0f}",
            bandwidth_GBs=f"{bw / 1e9:.2f}",
            triad_GBs=f"{triad / 1e9:.2f}",
            of_triad=f"{100 * bw / triad:.0f}%",
        )


if __name__ == "__main__":
    main()
