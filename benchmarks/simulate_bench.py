"""Weekly shock simulation benchmark: weeks × nodes per second on synthetic networks, against a plain per-node loop.

Cases (one summary line each, time and peak memory from ``_measure.Measure``):

``simulate-<N>``: a synthetic network of ``N`` sites (:func:`importsub.demo.synth.synth`,
as ``shock_bench.py`` uses); 5 % of the nodes lose half their capacity for 4 weeks
and recover linearly over their time to recover; the vectorised
:class:`~importsub.analysis.simulate.Simulator` runs ``--weeks`` weeks
(base-stock, proportional rationing, alternatives on), and the plain per-node
Python loop of ``tests/simulate_loop.py`` runs ``--loop-weeks`` weeks of the same
network and shock in the same process.  Both rates are weeks × nodes per second;
the line gives their ratio, the loop's lost margin against the vectorised run's
over the same weeks (they must agree), and peak memory of each.

Usage::

    python benchmarks/simulate_bench.py                          # 1k, 10k and 100k sites
    python benchmarks/simulate_bench.py --sizes 1000 --weeks 52 --loop-weeks 4
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from _measure import Measure

from importsub.analysis.simulate import Availability, SimulationSpec, Simulator, weekly_availability
from importsub.compile import compile
from importsub.compile.shock import Shock
from importsub.demo.synth import synth
from simulate_loop import simulate_loop


def case(sites: int, weeks: int, loop_weeks: int, seed: int) -> str:
    net = compile(synth(sites, seed=seed))
    rng = np.random.default_rng(seed)
    hit = np.flatnonzero(rng.random(net.n_nodes) < 0.05)
    shock = Shock.nodes(net, hit, 0.5, 4.0, recovery="linear")
    spec = SimulationSpec(weeks=weeks)
    avail = weekly_availability(net, shock, weeks)
    sim = Simulator(net, spec)
    sim.run(Availability(avail.nodes[:1], None, avail.pools[:1]))  # warm-up (first-touch of the buffers)
    with Measure() as fast:
        traj = sim.run(avail)
    lw = min(loop_weeks, weeks)
    short = Availability(avail.nodes[:lw], None if avail.links is None else avail.links[:lw], avail.pools[:lw])
    ref = Simulator(net, SimulationSpec(weeks=lw)).run(short)
    with Measure() as slow:
        loop = simulate_loop(net, SimulationSpec(weeks=lw), short.nodes, short.links, short.pools)
    rate_fast = weeks * net.n_nodes / fast.seconds
    rate_slow = lw * net.n_nodes / slow.seconds
    agree = abs(loop["lost_margin"] - ref.lost_margin) <= 1e-9 * max(1.0, abs(ref.lost_margin)) + 1e-6
    return (
        f"simulate-{sites}: {net.n_nodes:,} nodes, {net.n_links:,} links | vectorised {weeks} weeks in "
        f"{fast.seconds:.3f} s = {rate_fast:,.0f} weeks×nodes/s, peak {fast.peak_mib:.1f} MiB | per-node loop "
        f"{lw} weeks in {slow.seconds:.2f} s = {rate_slow:,.0f} weeks×nodes/s, peak {slow.peak_mib:.1f} MiB | "
        f"ratio {rate_fast / rate_slow:,.1f}× | lost margin {traj.lost_margin:,.0f} RUB over {weeks} weeks; "
        f"loop = vectorised over {lw} weeks: {'yes' if agree else 'NO'}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--loop-weeks", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for n in args.sizes:
        print(case(n, args.weeks, args.loop_weeks, args.seed), flush=True)


if __name__ == "__main__":
    main()
