"""The blocks of the portfolio MIP, each added to a :class:`_Builder` in a fixed order.

First stage (option columns ``y``, budget row, one level per project), what the
options change on the super network (:class:`_Changes`), the gross-output
block ``(I − A(y)) x = d`` with McCormick products (:func:`xblock`), the
localisation (DVA) coefficients, and the second stage: one TTR copy per
scenario coupled to ``y``.  See the package docstring for the maths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from importsub.analysis.portfolio.algebra import _upstream, _vehicle_demand
from importsub.analysis.portfolio.assembly import _Builder
from importsub.analysis.portfolio.choices import Option
from importsub.compile.matrices import gross_output, input_matrix_of
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.compile.shock import Shock
from importsub.model.dataset import Dataset

WEEKS_PER_YEAR = 52.0


@dataclass
class _Scenario:
    name: str
    weight: float
    t_weeks: float
    col0: int
    lp: Any  # disruption.LPArrays
    ncols: int


@dataclass
class _XBlock:
    """Gross output ``x`` as variables for one demand vector (and McCormick products)."""

    key: str
    col_x: int
    pairs: list[tuple[int, int]]  # (option, group) with a z column
    col_z: int
    need0: FloatArray  # need of every group with no option [units/yr]


@dataclass
class _Changes:
    """What the options change on the super network, and the network without them.

    Attributes
    ----------
    delta : FloatArray (options × links) [fraction]     share change ``Δ_{o,e}``
    K : FloatArray (options × nodes) [units/yr]        capacity added ``K_{o,j}``
    sigma0 : FloatArray (links,) [fraction]            shares without projects
    gate : dict[link, list[option]]                    links that only the listed options create
    cap0 : FloatArray (nodes,) [units/yr]              capacity without projects
    pool_cap0 : FloatArray (pools,) [units/yr]         pool capacity without projects
    need : scipy.sparse.csr_matrix (groups × nodes)    the super network's need
    changed_groups : IntArray                          groups with a link whose share changes
    group_affected : bool array (groups,)              groups whose need can change (upstream of a change)
    """

    delta: FloatArray
    K: FloatArray
    sigma0: FloatArray
    gate: dict[int, list[int]]
    cap0: FloatArray
    pool_cap0: FloatArray
    need: sp.csr_matrix
    changed_groups: IntArray
    group_affected: np.ndarray


# ---------------------------------------------------------------------- first stage


def first_stage(b: _Builder, opts: Sequence[Option]) -> int:
    """Binary ``y_o`` per option (columns 0…), the budget row ``Σ capex_o y_o`` and ``Σ_{o of p} y_o ≤ 1``.

    Returns the budget row (its bounds are set per solve).
    """
    y0 = b.cols(len(opts), 0.0, 1.0, 0.0, integer=True)
    assert y0 == 0
    row_budget = b.rows(1, -np.inf, np.inf)
    b.coeffs(np.zeros(len(opts)), np.arange(len(opts)), [o.capex for o in opts])
    by_project: dict[str, list[int]] = {}
    for opt in opts:
        by_project.setdefault(opt.project, []).append(opt.index)
    for idx in by_project.values():
        if len(idx) > 1:
            r = b.rows(1, -np.inf, 1.0)
            b.coeffs(np.full(len(idx), r), idx, 1.0)
    return row_budget


# ---------------------------------------------------------------------- what the options change


def _link_keys(net: Network) -> list[tuple[str, str, str]]:
    """(buyer site, part, supplier site) of every link of ``net``."""
    return list(
        zip(
            (net.sites[s] for s in net.group_site[net.link_group]),
            (net.parts[p] for p in net.group_part[net.link_group]),
            (net.sites[s] for s in net.node_site[net.link_supplier]),
            strict=True,
        )
    )


def _base_shares(ds: Dataset, link_key: list[tuple[str, str, str]]) -> FloatArray:
    """``σ⁰`` [fraction] of each link in the dataset without projects (0 for a link only a project creates)."""
    base = ds.supply_links
    base_share = dict(
        zip(
            zip(
                base.get_column("buyer").to_list(),
                base.get_column("part").to_list(),
                base.get_column("supplier").to_list(),
                strict=True,
            ),
            base.get_column("share").to_list(),
            strict=True,
        )
    )
    return np.array([float(base_share.get(k, 0.0)) for k in link_key])


def _base_capacity(ds: Dataset, net: Network) -> FloatArray:
    """Capacity [units/yr] of every node of ``net`` in the dataset without projects (0 for a new node)."""
    prod = ds.production
    cap0_map = dict(
        zip(
            zip(prod.get_column("site").to_list(), prod.get_column("part").to_list(), strict=True),
            prod.get_column("capacity").to_list(),
            strict=True,
        )
    )
    return np.array(
        [
            float(cap0_map.get((net.sites[net.node_site[j]], net.parts[net.node_part[j]]), 0.0))
            for j in range(net.n_nodes)
        ]
    )


def option_changes(ds: Dataset, net: Network, opts: Sequence[Option]) -> _Changes:
    """``Δ``, ``K``, created links and base capacities of the options on the super network ``net``."""
    link_key = _link_keys(net)
    link_at = {key: i for i, key in enumerate(link_key)}
    sigma0 = _base_shares(ds, link_key)
    delta = np.zeros((len(opts), net.n_links))
    K = np.zeros((len(opts), net.n_nodes))
    gate: dict[int, list[int]] = {}
    for opt in opts:
        for key, dd in opt.transfers.items():
            delta[opt.index, link_at[key]] += dd
        for (site, part), added in opt.capacity.items():
            K[opt.index, net.node_index[(site, part)]] += added
        for key in opt.created:
            gate.setdefault(link_at[key], []).append(opt.index)
    # base capacity of every node and pool (super capacity minus every option at its largest)
    cap0 = _base_capacity(ds, net)
    pool_cap0 = ds.capacity_pools.get_column("capacity").cast(pl.Float64).to_numpy()
    changed_groups = np.unique(net.link_group[np.flatnonzero(np.any(delta != 0, axis=0))])
    affected = _upstream(net, np.unique(net.link_supplier[np.flatnonzero(np.any(delta != 0, axis=0))]))
    need_csr = net.need.tocsr()
    group_affected = np.zeros(int(need_csr.shape[0]), dtype=np.bool_)
    coo = need_csr.tocoo()
    group_affected[np.unique(coo.row[affected[coo.col]])] = True
    return _Changes(delta, K, sigma0, gate, cap0, pool_cap0, need_csr, changed_groups, group_affected)


# ---------------------------------------------------------------------- gross output block


def xblock(b: _Builder, blocks: dict[str, _XBlock], net: Network, key: str, d: FloatArray, ch: _Changes) -> _XBlock:
    """``(I − A(y)) x = d`` with ``x`` as variables; ``z_{o,g} = y_o · need_g x`` by McCormick
    where ``need_g`` can change, else the constant ``y_o · need⁰_g`` (one block per ``key``, kept in ``blocks``)."""
    if key in blocks:
        return blocks[key]
    need, delta, sigma0, group_affected = ch.need, ch.delta, ch.sigma0, ch.group_affected
    n = net.n_nodes
    x0 = gross_output(net, d, share=sigma0)
    need0 = np.asarray(need @ x0, dtype=np.float64)
    # upper bound of x: largest shares (σ⁰ + every positive change)
    smax = sigma0 + np.clip(delta, 0.0, None).sum(axis=0)
    xmax = gross_output(net, d, share=smax)
    U = np.asarray(need @ xmax, dtype=np.float64) * (1 + 1e-9) + 1e-9
    col_x = b.cols(n, 0.0, np.inf, 0.0, scale=xmax)
    pairs = [
        (o, int(g))
        for o in range(delta.shape[0])
        for g in ch.changed_groups
        if group_affected[g] and np.any(delta[o, net.link_group == g] != 0)
    ]
    col_z = b.cols(len(pairs), 0.0, np.inf, 0.0, scale=np.array([U[g] for _, g in pairs]))
    # rows: x_i − Σ_{e from i} σ⁰_e (need x)_{g(e)} − Σ_{(o,g)} D[i,(o,g)] z_{o,g} − (const pairs) y = d_i
    r0 = b.rows(n, d, d)
    A0 = input_matrix_of(net, sigma0).tocoo()  # A⁰ = S(σ⁰) · need
    b.coeffs(r0 + np.arange(n), col_x + np.arange(n), 1.0)
    b.coeffs(r0 + A0.row, col_x + A0.col, -A0.data)
    for o in range(delta.shape[0]):
        nz = np.flatnonzero(delta[o])
        if nz.size == 0:
            continue
        gz = net.link_group[nz]
        sup = net.link_supplier[nz]
        const = ~group_affected[gz]
        # constant need: coefficient on y_o
        b.coeffs(r0 + sup[const], np.full(int(const.sum()), o), -delta[o, nz[const]] * need0[gz[const]])
    for k, (o, g) in enumerate(pairs):
        _mccormick(b, net, ch, r0, col_x, col_z + k, o, g, U[g])
    xb = _XBlock(key, col_x, pairs, col_z, need0)
    blocks[key] = xb
    return xb


def _mccormick(
    b: _Builder, net: Network, ch: _Changes, r0: int, col_x: int, col_z: int, o: int, g: int, U_g: float
) -> None:
    """``z_{o,g}`` in the balance rows of its suppliers, and ``z ≤ U y; z ≤ need_g x; z ≥ need_g x − U (1 − y)``."""
    delta = ch.delta
    nz = np.flatnonzero((delta[o] != 0) & (net.link_group == g))
    b.coeffs(r0 + net.link_supplier[nz], np.full(nz.size, col_z), -delta[o, nz])
    row = ch.need.getrow(g)
    r1 = b.rows(1, -np.inf, 0.0)
    b.coeffs([r1, r1], [col_z, o], [1.0, -U_g])
    r2 = b.rows(1, -np.inf, 0.0)
    b.coeffs(np.full(row.nnz + 1, r2), [col_z, *(col_x + row.indices)], [1.0, *(-row.data)])
    r3 = b.rows(1, -np.inf, U_g)
    b.coeffs(np.full(row.nnz + 2, r3), [col_z, o, *(col_x + row.indices)], [-1.0, U_g, *row.data])


# ---------------------------------------------------------------------- localisation


def localisation(
    b: _Builder,
    blocks: dict[str, _XBlock],
    net: Network,
    ch: _Changes,
    vehicles: Sequence[str] | None,
    group: str,
) -> tuple[tuple[FloatArray, FloatArray], FloatArray]:
    """The base gross-output block and the DVA [RUB/yr] coefficients on it: ``((cx, cz), dva_y)``.

    ``DVA = cx · x + cz · z + dva_y · y`` with
    ``DVA = Σ_{j∈G} v_j x_j − Σ_{e: buyer in G} v_{i(e)} (σ⁰_e N_g + Σ_o Δ_{o,e} z_{o,g})``.
    """
    delta, sigma0, need_csr, group_affected = ch.delta, ch.sigma0, ch.need, ch.group_affected
    n_opts = delta.shape[0]
    dva_y = np.zeros(n_opts)
    d = _vehicle_demand(net, vehicles)
    xb = xblock(b, blocks, net, "base", d, ch)
    site_in = np.isin(net.site_country, net.group_members(group))
    inside = site_in[net.node_site]
    g_in = site_in[net.group_site]  # procurement group at a site in the group
    ve = net.value[net.link_supplier]
    c_g = np.bincount(net.link_group, weights=np.where(g_in[net.link_group], sigma0 * ve, 0.0), minlength=len(g_in))
    cx = np.where(inside, net.value, 0.0) - np.asarray(need_csr.T @ c_g).ravel()
    # option o, group g: Σ_{e∈g} Δ_{o,e} v_{i(e)} for g in G
    dv = delta * np.where(g_in[net.link_group], ve, 0.0)[None, :]  # (opts × E)
    dvg = np.zeros((n_opts, len(g_in)))
    for o in range(n_opts):
        dvg[o] = np.bincount(net.link_group, weights=dv[o], minlength=len(g_in))
    cz = np.array([-dvg[o, g] for o, g in xb.pairs])
    for o in range(n_opts):
        const = ~group_affected
        dva_y[o] -= float(np.sum(dvg[o, const] * xb.need0[const]))
    return (cx, cz), dva_y


# ---------------------------------------------------------------------- second stage


def scenario(
    b: _Builder,
    blocks: dict[str, _XBlock],
    net: Network,
    ch: _Changes,
    name: str,
    weight: float,
    snet: Network,
    shock: Shock,
    t: float,
    *,
    own_blocks: bool = False,
) -> _Scenario:
    """One copy of the TTR model of scenario ``name`` (network ``snet``, window ``t`` [weeks]), coupled to ``y``.

    ``own_blocks``: the scenario gets its own gross-output block (not shared with scenarios of the
    same demand), so that its columns form one second-stage block of the decomposition."""
    from importsub.analysis.disruption import build_ttr

    model = build_ttr(snet, shock, t)
    lp = model.lp()
    tau = t / WEEKS_PER_YEAR
    typical = lp.col_upper.copy()
    p_ub = lp.col_upper[lp.col_p] + snet.stock
    f_cols = np.arange(lp.col_f.start, lp.col_f.stop)
    typical[f_cols] = np.minimum(typical[f_cols], p_ub[snet.link_supplier])
    typical[~np.isfinite(typical)] = 1.0
    c0 = b.cols(model.n_cols, lp.col_lower, lp.col_upper, 0.0, scale=typical)
    r0 = b.rows(model.n_rows, lp.row_lower, lp.row_upper)
    Acoo = lp.A.tocoo()
    b.coeffs(r0 + Acoo.row, c0 + Acoo.col, Acoo.data)
    sc = _Scenario(name, float(weight), t, c0, lp, model.n_cols)
    if tau <= 0:
        return sc
    a_node = np.divide(lp.col_upper[lp.col_p], snet.capacity * tau, out=np.zeros(net.n_nodes), where=snet.capacity > 0)
    _host_rows(b, ch, snet, lp, c0, r0, tau, a_node)
    _cut_link_rows(b, ch, snet, lp, c0, shock, t, tau)
    _gate_rows(b, ch, snet, lp, c0, tau, a_node)
    _non_qualified_rows(b, blocks, net, ch, snet, lp, c0, shock, t, tau, name if own_blocks else "")
    return sc


def _host_rows(
    b: _Builder, ch: _Changes, snet: Network, lp: Any, c0: int, r0: int, tau: float, a_node: FloatArray
) -> None:
    """Host capacity ``p_j − Σ_o K_oj τ a_j y_o ≤ cap⁰_j τ a_j`` (and the same on the host's pool row)."""
    K = ch.K
    hosts = np.flatnonzero(np.any(K > 0, axis=0))
    for jh in hosts:
        j = int(jh)
        r = b.rows(1, -np.inf, ch.cap0[j] * tau * a_node[j])
        oo = np.flatnonzero(K[:, j] > 0)
        b.coeffs([r] * (oo.size + 1), [c0 + lp.col_p.start + j, *oo], [1.0, *(-K[oo, j] * tau * a_node[j])])
        k = int(snet.pool[j])
        if k >= 0:
            prow = r0 + lp.row_pool.start + k
            ratio = lp.row_upper[lp.row_pool.start + k] / (snet.pool_capacity[k] * tau)
            b.coeffs(np.full(oo.size, prow), oo, -K[oo, j] * tau * ratio)
            b.set_row_upper(prow, ch.pool_cap0[k] * tau * ratio)


def _cut_link_rows(
    b: _Builder, ch: _Changes, snet: Network, lp: Any, c0: int, shock: Shock, t: float, tau: float
) -> None:
    """Cut links from a host: ``f_e ≤ a_e (cap⁰ + Σ K y) τ``."""
    if not shock.hit_links.size:
        return
    K = ch.K
    la = shock.link_available(t)
    for ec in shock.hit_links:
        e = int(ec)
        js = int(snet.link_supplier[e])
        if not np.any(K[:, js] > 0) or la[e] >= 1.0:
            continue
        oo = np.flatnonzero(K[:, js] > 0)
        r = b.rows(1, -np.inf, la[e] * ch.cap0[js] * tau)
        b.coeffs([r] * (oo.size + 1), [c0 + lp.col_f.start + e, *oo], [1.0, *(-K[oo, js] * la[e] * tau)])


def _gate_rows(b: _Builder, ch: _Changes, snet: Network, lp: Any, c0: int, tau: float, a_node: FloatArray) -> None:
    """Links that exist only when an option creates them: ``f_e ≤ M_e Σ_o y_o``."""
    stock = snet.stock
    for eg, og in ch.gate.items():
        jg = int(snet.link_supplier[eg])
        M = snet.capacity[jg] * tau * max(a_node[jg], 0.0) + stock[jg] + 1.0
        r = b.rows(1, -np.inf, 0.0)
        b.coeffs([r] * (len(og) + 1), [c0 + lp.col_f.start + eg, *og], [1.0, *([-M] * len(og))])


def _non_qualified_rows(
    b: _Builder,
    blocks: dict[str, _XBlock],
    net: Network,
    ch: _Changes,
    snet: Network,
    lp: Any,
    c0: int,
    shock: Shock,
    t: float,
    tau: float,
    owner: str = "",
) -> None:
    """Non-qualified links: ``f_e ≤ σ_e(y) need_g(y) τ`` (a column bound where nothing changes, else a row)."""
    nq = np.flatnonzero(~snet.link_qualified)
    if not nq.size:
        return
    delta, sigma0, need_csr, group_affected = ch.delta, ch.sigma0, ch.need, ch.group_affected
    d_s = snet.demand
    varying = [int(e) for e in nq if group_affected[snet.link_group[e]] or np.any(delta[:, e] != 0)]
    need0 = np.asarray(need_csr @ gross_output(snet, d_s, share=sigma0), dtype=np.float64)
    cutb = np.full(net.n_links, np.inf)
    if shock.hit_links.size:
        la = shock.link_available(t)
        cut = np.flatnonzero(la < 1.0)
        cutb[cut] = la[cut] * snet.capacity[snet.link_supplier[cut]] * tau
    b.set_col_upper(c0 + lp.col_f.start + nq, np.minimum(sigma0[nq] * need0[snet.link_group[nq]] * tau, cutb[nq]))
    vary_aff = [e for e in varying if group_affected[snet.link_group[e]]]
    xb2 = None
    if vary_aff:
        dkey = (
            "demand:"
            + hashlib.sha1(np.ascontiguousarray(d_s).tobytes()).hexdigest()[:12]
            + (f":{owner}" if owner else "")
        )
        xb2 = xblock(b, blocks, net, dkey, d_s, ch)
    for e in varying:
        g = int(snet.link_group[e])
        col = c0 + lp.col_f.start + e
        b.set_col_upper(np.array([col]), np.array([cutb[e]]))
        if not group_affected[g]:
            oo = np.flatnonzero(delta[:, e] != 0)
            r = b.rows(1, -np.inf, sigma0[e] * need0[g] * tau)
            b.coeffs([r] * (oo.size + 1), [col, *oo], [1.0, *(-delta[oo, e] * need0[g] * tau)])
        else:
            assert xb2 is not None
            r = b.rows(1, -np.inf, 0.0)
            row_need = need_csr.getrow(g)
            b.coeffs(np.full(row_need.nnz, r), xb2.col_x + row_need.indices, -sigma0[e] * tau * row_need.data)
            b.coeffs([r], [col], [1.0])
            for k, (o, gg) in enumerate(xb2.pairs):
                if gg == g and delta[o, e] != 0:
                    b.coeffs([r], [xb2.col_z + k], [-delta[o, e] * tau])
