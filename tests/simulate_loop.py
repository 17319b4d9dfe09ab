"""A plain per-node Python loop of the weekly simulation (no numpy in the week loop): the independent
reference of tests/test_simulate.py and the baseline of benchmarks/simulate_bench.py.

It follows the steps of :mod:`importsub.analysis.simulate` node by node in topological order (a
group's fill is taken when its first consumer comes up: every supplier of a group comes before
every consumer), with its own rationing code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from importsub.analysis.simulate import SimulationSpec
from importsub.compile.matrices import gross_output
from importsub.compile.network import Network

WK = 52.0


def _ration(avail: float, claims: list[tuple[int, float, float]], rule: str) -> dict[int, float]:
    """claims: (claim id, size, priority key) → what each gets."""
    total = sum(s for _, s, _ in claims)
    if total <= avail or rule == "proportional":
        f = 1.0 if total <= avail else avail / total
        return {c: s * f for c, s, _ in claims}
    out: dict[int, float] = {}
    if rule == "priority":
        left = avail
        for c, s, _ in sorted(claims, key=lambda t: (t[2], t[0])):
            out[c] = min(s, max(left, 0.0))
            left -= out[c]
        return out
    # smaller-first: water-filling
    rest = sorted(claims, key=lambda t: (t[1], t[0]))
    left = avail
    while rest:
        level = left / len(rest)
        c, s, _ = rest[0]
        if s <= level:
            out[c] = s
            left -= s
            rest.pop(0)
        else:
            for c2, _, _ in rest:
                out[c2] = level
            break
    return out


def simulate_loop(
    net: Network, spec: SimulationSpec, a_nodes: Any, a_links: Any = None, a_pools: Any = None
) -> dict[str, Any]:
    """Delivered and lost units per week and final node, lost margin [RUB], the same model as ``Simulator``."""
    n, m, E = net.n_nodes, int(net.need.shape[0]), net.n_links
    x = gross_output(net)
    need = net.need.tocsr()
    needT = net.need.T.tocsr()
    u = [float(v) / WK for v in need @ x]
    grp, sup = net.link_group.tolist(), net.link_supplier.tolist()
    share, qual = net.link_share.tolist(), net.link_qualified.tolist()
    lead = [max(round(float(v)), 0) for v in net.link_lead_time]
    flow = [share[e] * u[grp[e]] for e in range(E)]
    links_of_group: list[list[int]] = [[] for _ in range(m)]
    out_links: list[list[int]] = [[] for _ in range(n)]
    for e in range(E):
        links_of_group[grp[e]].append(e)
        out_links[sup[e]].append(e)
    inputs = [[(int(needT.indices[k]), float(needT.data[k])) for k in range(needT.indptr[j], needT.indptr[j + 1])]
              for j in range(n)]  # fmt: skip
    final = [int(j) for j in np.flatnonzero(net.demand > 0)]
    fpos = {j: k for k, j in enumerate(final)}
    d = [float(net.demand[j]) / WK for j in final]
    W = float(spec.target_weeks)
    mean_lead = [sum(share[e] * lead[e] for e in links_of_group[g]) for g in range(m)]
    S_g = [(W + mean_lead[g]) * u[g] for g in range(m)]
    x_w = [float(v) / WK for v in x]
    H = [float(v) for v in net.group_stock]
    S = [float(v) for v in net.stock]
    Lmax = max(lead, default=0)
    due_at: list[dict[int, float]] = [{} for _ in range(Lmax + 1)]
    on_order = [0.0] * m
    for e in range(E):
        for lag in range(lead[e]):
            due_at[lag][e] = due_at[lag].get(e, 0.0) + flow[e]
            on_order[grp[e]] += flow[e]
    backlog = [0.0] * len(final)
    forecast = list(u)
    fill = [1.0] * E
    spare = [0.0] * n
    weeks = len(a_nodes)
    delivered = [[0.0] * len(final) for _ in range(weeks)]
    lost = [[0.0] * len(final) for _ in range(weeks)]
    pool_members: dict[int, list[int]] = {}
    for j in range(n):
        if int(net.pool[j]) >= 0:
            pool_members.setdefault(int(net.pool[j]), []).append(j)
    order = [int(j) for j in net.topo]
    for w in range(weeks):
        slot = w % (Lmax + 1)
        due = [0.0] * E
        for e, q in due_at[slot].items():
            due[e] += q
        due_at[slot] = {}
        # orders placed
        placed = [0.0] * E
        for g in range(m):
            if spec.policy is None:
                Q = u[g]
            else:
                pos = H[g] + on_order[g]
                Q = max(0.0, forecast[g] + S_g[g] - pos)
                if spec.policy == "order-up-to" and not pos - forecast[g] < S_g[g] - 0.5 * W * u[g]:
                    Q = 0.0
            base = {e: share[e] * Q for e in links_of_group[g]}
            if spec.alternatives:
                miss = {e: (share[e] * (1 - min(max(fill[e], 0.0), 1.0)) * Q if share[e] > 0 else 0.0)
                        for e in links_of_group[g]}  # fmt: skip
                spare_e = {e: (spare[sup[e]] if qual[e] and fill[e] >= 1 - 1e-9 else 0.0) for e in links_of_group[g]}
                mg, sg = sum(miss.values()), sum(spare_e.values())
                moved = min(mg, sg)
                for e in links_of_group[g]:
                    base[e] += -(moved / mg if mg > 0 else 0.0) * miss[e] + (moved / sg if sg > 0 else 0.0) * spare_e[e]
            for e in links_of_group[g]:
                placed[e] = base[e] if qual[e] else min(base[e], flow[e])
        for e in range(E):
            on_order[grp[e]] -= due[e]
            if lead[e] == 0:
                due[e] += placed[e]
            else:
                k = (w + lead[e]) % (Lmax + 1)
                due_at[k][e] = due_at[k].get(e, 0.0) + placed[e]
                on_order[grp[e]] += placed[e]
        claims_on = [0.0] * n
        for e in range(E):
            claims_on[sup[e]] += due[e]
        for k, j in enumerate(final):
            claims_on[j] += d[k] + backlog[k]
        plan = [0.0] * n
        for j in range(n):
            if spec.policy is None:
                plan[j] = claims_on[j]
            else:
                p = max(0.0, claims_on[j] + W * x_w[j] - S[j])
                if spec.policy == "order-up-to" and not S[j] - claims_on[j] < 0.5 * W * x_w[j]:
                    p = max(0.0, claims_on[j] - S[j])
                plan[j] = p
        R = [0.0] * m
        for j in range(n):
            for g, q in inputs[j]:
                R[g] += q * plan[j]
        pool_frac = [1.0] * n
        for p, members in pool_members.items():
            tot = sum(plan[j] for j in members)
            cap = float(net.pool_capacity[p]) * (1.0 if a_pools is None else float(a_pools[w][p])) / WK
            if tot > cap:
                for j in members:
                    pool_frac[j] = cap / tot
        gamma: dict[int, float] = {}
        prod = [0.0] * n
        shipped = [0.0] * E
        y = [0.0] * len(final)
        for j in order:
            f = min(pool_frac[j], 1.0)
            for g, _ in inputs[j]:
                if g not in gamma:
                    gamma[g] = min(1.0, H[g] / R[g]) if R[g] > 0 else 1.0
                f = min(f, gamma[g])
            capw = float(net.capacity[j]) * float(a_nodes[w][j]) / WK
            prod[j] = max(0.0, min(capw, plan[j] * f))
            A = S[j] + prod[j]
            claims = [(e, due[e], -flow[e]) for e in out_links[j]]
            if j in fpos:
                k = fpos[j]
                claims.append((E + k, d[k] + backlog[k], -np.inf))
            got = _ration(A, claims, spec.rationing)
            used = 0.0
            for c, _, _ in claims:
                v = got[c]
                if c < E:
                    if a_links is not None:
                        v = min(v, float(a_links[w][c]) * float(net.capacity[j]) / WK)
                    shipped[c] = v
                    H[grp[c]] += v
                else:
                    y[c - E] = v
                used += v
            S[j] = max(A - used, 0.0)
        for j in range(n):
            for g, q in inputs[j]:
                H[g] -= q * prod[j]
        H = [max(h, 0.0) for h in H]
        for k in range(len(final)):
            new = min(y[k], d[k])
            unmet = d[k] - new
            kept = spec.backlog * unmet
            backlog[k] = max(backlog[k] - (y[k] - new), 0.0) + kept
            lost[w][k] = unmet - kept + (backlog[k] if w == weeks - 1 else 0.0)
            delivered[w][k] = y[k]
        for e in range(E):
            fill[e] = shipped[e] / due[e] if due[e] > 1e-12 else 1.0
        for j in range(n):
            capw = float(net.capacity[j]) * float(a_nodes[w][j]) / WK
            short = prod[j] < plan[j] * (1 - 1e-9) - 1e-12
            spare[j] = 0.0 if short else max(capw - prod[j], 0.0)
        forecast = R
    margin = [float(net.margin[j]) for j in final]
    lm = sum(lost[w][k] * margin[k] for w in range(weeks) for k in range(len(final)))
    return {"delivered": np.array(delivered), "lost": np.array(lost), "lost_margin": lm}
