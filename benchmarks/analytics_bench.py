"""Benchmark of the network analytics on synthetic networks (never a timed test).

For each size (number of sites) it prints ONE summary line:

* ``synth``: drawing the dataset (not part of the analytics);
* ``compile``: dataset in memory → Network (from arrays); with ``--store``
  also write to SQLite, then read + compile (from the store), and the whole
  ``importsub analyze localisation`` CLI in a fresh process (end to end);
* ``x``: derived demand ``(I − A) x = d`` (level-scheduled sweep, best of 5;
  ``setup`` = slicing the level blocks once per network);
* ``L``: localisation solve ``(I − Bᵀ) L = w ∘ g`` (best of 5);
* ``analysis``: the full ``localisation()`` result (all tables);
* ``peak``: tracemalloc peak of solver setup + both solves [MB];
* ``dense``: where the network has at most ``--dense-max`` nodes, the classic
  input–output approach (``inv(I − A) @ d`` and ``inv(I − Bᵀ) @ (w ∘ g)``,
  as pymrio's ``calc_L``), its time and peak memory, the ratio dense / sparse
  and the largest difference of x (relative) and L (absolute).

Usage::

    python benchmarks/analytics_bench.py                       # 1k, 5k, 10k, 100k sites
    python benchmarks/analytics_bench.py --sizes 1000,1000000 --store --dense-max 9000
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from importsub.analysis.demand import LevelSolver, gross_output, solver
from importsub.analysis.localisation import domestic_content, localisation
from importsub.compile import compile
from importsub.demo.synth import synth


def best(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def traced_peak(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Peak traced memory [MB] of ``fn`` (numpy allocations are traced)."""
    gc.collect()
    tracemalloc.start()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20, out


def fmt_t(s: float) -> str:
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def case(sites: int, args: argparse.Namespace) -> str:
    t_synth, ds = timed(lambda: synth(sites, seed=args.seed))
    t_compile, net = timed(lambda: compile(ds))
    parts = [
        f"sites={sites:,} nodes={net.n_nodes:,} links={net.n_links:,} nnz(A)={net.A.nnz:,} levels={len(net.levels)}",
        f"synth {fmt_t(t_synth)}",
        f"compile {fmt_t(t_compile)}",
    ]
    if args.store:
        with tempfile.TemporaryDirectory() as tmp:
            from importsub.store import Store

            url = str(Path(tmp) / "bench.sqlite")
            store = Store(url)
            t_write, _ = timed(lambda: store.write_dataset(ds))
            t_read, ds2 = timed(lambda: Store(url).read_dataset(ds.name))
            t_c2, _ = timed(lambda: compile(ds2))
            out_file = Path(tmp) / "loc.csv"
            cmd = [
                sys.executable,
                "-m",
                "importsub.cli.main",
                "analyze",
                "localisation",
                "--db",
                url,
                "-d",
                ds.name,
                "-f",
                "csv",
                "-o",
                str(out_file),
            ]
            t_cli, proc = timed(lambda: subprocess.run(cmd, capture_output=True, text=True, check=False))
            if proc.returncode:
                raise SystemExit(f"CLI failed: {proc.stderr}")
            parts.append(
                f"store write {fmt_t(t_write)} read {fmt_t(t_read)} + compile {fmt_t(t_c2)}"
                f" | CLI analyze localisation end to end {fmt_t(t_cli)}"
            )
    t_setup, _ = timed(lambda: solver(net))
    t_x, x = best(lambda: gross_output(net))
    t_L, L = best(lambda: domestic_content(net))
    t_an, _ = timed(lambda: localisation(net))
    fresh = compile(ds)  # a new network: setup and solves from nothing, traced

    def solve_all() -> None:
        s = LevelSolver(fresh)
        s.x(fresh.demand)
        s.y(fresh.w * fresh.in_group("union"))

    peak, _ = traced_peak(solve_all)
    parts += [
        f"x {fmt_t(t_x)} (setup {fmt_t(t_setup)})",
        f"L {fmt_t(t_L)}",
        f"localisation() {fmt_t(t_an)}",
        f"solve peak {peak:.1f} MB ({peak * 2**20 / max(net.A.nnz + net.n_nodes, 1):.0f} B per nnz+node)",
    ]
    if net.n_nodes <= args.dense_max:
        g = net.in_group("union").astype(float)

        def dense() -> tuple[np.ndarray, np.ndarray]:
            n = net.n_nodes
            eye = np.eye(n)
            Linv_A = np.linalg.inv(eye - net.A.toarray())
            xd = Linv_A @ net.demand
            del Linv_A
            Linv_B = np.linalg.inv(eye - net.B.T.toarray())
            Ld = Linv_B @ (net.w * g)
            return xd, Ld

        gc.collect()
        tracemalloc.start()
        t_dense, (xd, Ld) = timed(dense)
        _, dpeak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        dx = float(np.max(np.abs(x - xd)) / max(np.abs(xd).max(), 1.0))
        dL = float(np.max(np.abs(L - Ld)))
        ratio = t_dense / (t_x + t_L)
        ratio_setup = t_dense / (t_setup + t_x + t_L)
        parts.append(
            f"dense inv(I−A), inv(I−Bᵀ) {fmt_t(t_dense)} peak {dpeak / 2**20:,.0f} MB → sparse solves {ratio:,.0f}× faster"
            f" ({ratio_setup:,.0f}× with setup),"
            f" max rel|Δx| {dx:.1e}, max|ΔL| {dL:.1e}"
        )
    else:
        parts.append("dense: skipped (too big)")
    return " | ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,10000,100000", help="comma-separated numbers of sites")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", action="store_true", help="also time SQLite write/read and the CLI end to end")
    ap.add_argument("--dense-max", type=int, default=9000, help="largest node count for the dense baseline")
    args = ap.parse_args()
    print(f"# analytics benchmark, {os.cpu_count()} CPUs, numpy {np.__version__}", flush=True)
    for s in [int(v) for v in args.sizes.split(",") if v]:
        print(case(s, args), flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"# peak resident memory of this process: {rss:,.0f} MB")


if __name__ == "__main__":
    main()
