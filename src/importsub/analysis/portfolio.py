"""Portfolio optimisation: which projects to fund under a budget, as one HiGHS MIP.

The model (one mixed-integer programme)
---------------------------------------
**First stage.**  Every project ``p`` is offered at capacity levels
``{1}`` or, where its ``max_scale`` exceeds 1, ``{1, max_scale}`` [× target]:
each level is an *option* ``o`` with a binary ``y_o`` and capex
``capex_p × level`` [RUB] (capex assumed proportional to capacity).  At most
one option per project; ``Σ_o capex_o y_o ≤ budget``.

An option changes the network exactly as :func:`importsub.analysis.projects.application`
applies it alone (capacity ``K_o`` [units/yr] at the host node, shares
``Δ_{o,e}`` moved from substituted links to the host's links).  Those changes
are computed from the network *without projects*, so the network of a chosen
set ``S`` has ``capacity = cap⁰ + Σ_{o∈S} K_o`` and ``σ = σ⁰ + Σ_{o∈S} Δ_o``:
additive in ``y``.  (This holds exactly unless two candidate projects name
the same substitutable link; then the chosen set is re-evaluated by applying
it for real and the result says so.)  Every option's nodes and links live in
one *super network* ``N*`` (all projects applied at their largest level).

**Second stage, loss.**  For each scenario ``s`` (weight ``w_s``, its
disruptions as a :class:`~importsub.compile.shock.Shock` on ``N*`` over its
window ``t_s``) a copy of the TTR linear programme of
:mod:`importsub.analysis.disruption` (built by ``build_ttr``, not rewritten)
with the first stage coupled in:

* host production ``p_j ≤ (cap⁰_j + Σ_o K_{o,j} y_o) τ a_j`` (and its pool);
* a link that only exists when an option creates it: ``f_e ≤ M_e Σ_o y_o``
  with ``M_e`` the supplier's largest production plus stock;
* a non-qualified link's bound ``f_e ≤ σ_e(y) · need_g(y) · τ``: with
  ``need_g`` constant (the buyer is not upstream of any change) it is linear
  in ``y``; otherwise ``need_g = need[g]·x`` with the gross output ``x``
  as variables (below) and ``y_o · need_g`` linearised exactly (McCormick
  with ``y`` binary).

**Localisation.**  The group's domestic value added in the chosen vehicles
is (value-added accounting, DESIGN.md) ``DVA = Σ_j g_j w_j v_j x_j =
Σ_{j∈G} v_j x_j − Σ_{e: buyer in G} v_{i(e)} f_e`` with flows
``f_e = σ_e(y) · (need · x)_{g(e)}`` and ``(I − A(y)) x = d``.  This is not
additive over projects (a project feeding another's host changes its
inputs), so it is formulated exactly: ``x`` are variables,
``z_{o,g} = y_o · (need·x)_g`` is linearised by McCormick with an upper bound
``U_g`` from the largest shares (``x`` is monotone in ``A``), and only for
groups whose need can change (upstream of a change); elsewhere
``z_{o,g} = y_o · need⁰_g``.  Import content of the vehicle set is
``1 − DVA / Σ d v``.

**Objectives** (minimised internally): ``loss`` = expected lost margin
``Σ_s w_s · lost_s`` [RUB]; ``localisation`` = ``−DVA`` [RUB/yr];
``mix`` = ``Σ_s w_s lost_s − λ · DVA`` with ``λ`` [RUB of expected loss per
RUB/yr of domestic value added] given by the user.

Greedy comparison and explanation
---------------------------------
Every option is evaluated alone (the MIP with ``y`` fixed); greedy funds
options by benefit / capex, best first, while the budget allows (one option
per project).  The MIP's optimum can never be worse than the greedy set or
any single project (both are feasible points of the MIP).  For each funded
project the result gives its marginal contribution (objective with the
chosen set minus that project) and its loss avoided per scenario.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from importsub.analysis.demand import gross_output
from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.projects import (
    application,
    compile_with_projects,
    content_fingerprint,
    figures,
    named_shocks,
    resolve_year,
    with_fingerprint,
    without_projects,
)
from importsub.analysis.result import Result
from importsub.compile.build import compile
from importsub.compile.network import FloatArray, IntArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError, InfeasibleError, NotFoundError

OBJECTIVES = ("loss", "localisation", "mix")
WEEKS_PER_YEAR = 52.0
MIP_REL_GAP = 1e-9


# ============================================================================ options


@dataclass(frozen=True)
class Option:
    """One fundable choice: a project at a capacity level.

    Attributes
    ----------
    index : int
    project : str
    level : float [× target]
    capex : float [RUB]            project capex × level
    capacity : dict[(site, part), float] [units/yr]   capacity added at the host
    transfers : dict[(buyer, part, supplier), float] [fraction]   share change of each link
    created : frozenset[(buyer, part, supplier)]   links the option creates (not in the dataset)
    """

    index: int
    project: str
    level: float
    capex: float
    capacity: dict[tuple[str, str], float]
    transfers: dict[tuple[str, str, str], float]
    created: frozenset[tuple[str, str, str]]

    @property
    def label(self) -> str:
        return self.project if self.level == 1.0 else f"{self.project} ×{self.level:g}"


def options(ds: Dataset, year: int, projects: Sequence[str] | None = None, base: Network | None = None) -> list[Option]:
    """The options of every project (levels 1 and ``max_scale``), each applied alone.

    ``capex`` of a level = project capex × level [RUB].
    """
    ids = ds.projects.get_column("id").to_list() if projects is None else list(projects)
    info = {r["id"]: r for r in ds.projects.iter_rows(named=True)}
    missing = [p for p in ids if p not in info]
    if missing:
        raise NotFoundError(f"dataset {ds.name!r}: unknown project(s) {', '.join(missing)}")
    base_links = set(
        zip(
            ds.supply_links.get_column("buyer").to_list(),
            ds.supply_links.get_column("part").to_list(),
            ds.supply_links.get_column("supplier").to_list(),
            strict=True,
        )
    )
    out: list[Option] = []
    for p in ids:
        top = float(info[p]["max_scale"] or 1.0)
        levels = [1.0] if top <= 1.0 else [1.0, top]
        for level in levels:
            app = application(ds, [p], year, scale=level, base=base)
            cap = {
                (r["host site"], r["part"]): float(r["capacity added [units/yr]"])
                for r in app.capacity.iter_rows(named=True)
                if r["capacity added [units/yr]"] > 0
            }
            transfers: dict[tuple[str, str, str], float] = {}
            created: set[tuple[str, str, str]] = set()
            host = info[p]["host_site"]
            for r in app.takeovers.iter_rows(named=True):
                d = r["share before [fraction]"] - r["share after [fraction]"]
                if d <= 0:
                    continue
                key = (r["buyer"], r["part"], r["supplier"])
                transfers[key] = transfers.get(key, 0.0) - d
                hk = (r["buyer"], r["part"], host)
                transfers[hk] = transfers.get(hk, 0.0) + d
                if hk not in base_links:
                    created.add(hk)
            capex = float(info[p]["capex"] or 0.0) * level
            out.append(Option(len(out), p, level, capex, cap, transfers, frozenset(created)))
    return out


def shared_links(opts: Sequence[Option]) -> list[tuple[str, str, str]]:
    """Substituted links that options of different projects both reduce (additivity fails there)."""
    owner: dict[tuple[str, str, str], str] = {}
    shared: set[tuple[str, str, str]] = set()
    for o in opts:
        for k, d in o.transfers.items():
            if d < 0:
                if k in owner and owner[k] != o.project:
                    shared.add(k)
                owner.setdefault(k, o.project)
    return sorted(shared)


# ============================================================================ sparse assembly


class _Builder:
    """Columns, rows and coefficients of one MIP, assembled as COO triplets."""

    def __init__(self) -> None:
        self.lb: list[FloatArray] = []
        self.ub: list[FloatArray] = []
        self.cost: list[FloatArray] = []
        self.integer: list[np.ndarray] = []
        self.colscale: list[FloatArray] = []
        self.rlo: list[FloatArray] = []
        self.rup: list[FloatArray] = []
        self.r: list[IntArray] = []
        self.c: list[IntArray] = []
        self.v: list[FloatArray] = []
        self.ncol = 0
        self.nrow = 0

    def cols(
        self, n: int, lb: Any = 0.0, ub: Any = np.inf, cost: Any = 0.0, integer: bool = False, scale: Any = 1.0
    ) -> int:
        """Add ``n`` columns; ``scale`` is their typical magnitude (the solver sees ``value / scale``)."""
        start = self.ncol
        self.colscale.append(np.maximum(np.broadcast_to(np.asarray(scale, dtype=np.float64), (n,)), 1.0).copy())
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=np.float64), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=np.float64), (n,)).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self.integer.append(np.full(n, integer))
        self.ncol += n
        return start

    def rows(self, n: int, lo: Any = -np.inf, up: Any = np.inf) -> int:
        start = self.nrow
        self.rlo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy())
        self.rup.append(np.broadcast_to(np.asarray(up, dtype=np.float64), (n,)).copy())
        self.nrow += n
        return start

    def coeffs(self, rows: Any, cols: Any, vals: Any) -> None:
        r = np.asarray(rows, dtype=np.int64).ravel()
        c = np.asarray(cols, dtype=np.int64).ravel()
        v = np.broadcast_to(np.asarray(vals, dtype=np.float64), r.shape).ravel()
        if r.size:
            self.r.append(r)
            self.c.append(c)
            self.v.append(v.copy())

    def arrays(
        self,
    ) -> tuple[sp.csc_matrix, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, np.ndarray, FloatArray]:
        cat = lambda xs, dt=np.float64: np.concatenate(xs) if xs else np.zeros(0, dtype=dt)  # noqa: E731
        A = sp.csc_matrix((cat(self.v), (cat(self.r, np.int64), cat(self.c, np.int64))), shape=(self.nrow, self.ncol))
        A.sum_duplicates()
        A.eliminate_zeros()
        A.sort_indices()
        return (
            A,
            cat(self.lb),
            cat(self.ub),
            cat(self.cost),
            cat(self.rlo),
            cat(self.rup),
            cat(self.integer, np.bool_),
            cat(self.colscale),
        )


# ============================================================================ the model


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
class Evaluation:
    """Objective and its parts for one set of options.

    ``objective`` is in the objective's unit (RUB for loss and mix, RUB/yr of
    domestic value added, negated, for localisation); ``losses`` [RUB] per
    scenario; ``import_content`` [%] of the vehicle set (None if not modelled).
    """

    chosen: tuple[int, ...]
    objective: float
    expected_loss: float | None
    losses: dict[str, float]
    domestic_value: float | None
    import_content: float | None
    capex: float


@dataclass
class PortfolioModel:
    """The portfolio MIP of one dataset, year, scenario set and objective (built once).

    Build with :meth:`build`; :meth:`solve` for a budget, :meth:`evaluate`
    for a fixed set of options (the same model with ``y`` fixed).
    """

    dataset: Dataset
    year: int
    objective: str
    group: str
    vehicles: tuple[str, ...] | None
    mix_weight: float
    options: list[Option]
    scenarios: list[_Scenario]
    net: Network  # super network (base demand)
    total_value: float  # Σ d v of the vehicle set [RUB/yr]
    scale: float
    shared: list[tuple[str, str, str]]
    fingerprint: dict[str, Any]
    _h: Any = None
    _h_lp: Any = None
    _As: Any = None
    _A: Any = None
    _lb: Any = None
    _ub: Any = None
    _cost: Any = None
    _rlo: Any = None
    _rup: Any = None
    _int: Any = None
    _row_budget: int = 0
    _xblocks: dict[str, _XBlock] = field(default_factory=dict)
    _loc_block: str | None = None
    _loc_cost: tuple[FloatArray, FloatArray] | None = None  # (x coefficients, z coefficients) of DVA
    _loc_const: float = 0.0  # DVA part that is a constant times y (folded into y costs): 0
    _dva_y: FloatArray | None = None  # DVA coefficient on y (non-varying pairs)
    _cache: dict[tuple[int, ...], Evaluation] = field(default_factory=dict)
    _top: dict[str, float] = field(default_factory=dict)
    _base_net: Network | None = None
    _cs: Any = None
    _rs: Any = None

    # ------------------------------------------------------------------ build

    @classmethod
    def build(
        cls,
        dataset: Dataset,
        *,
        scenarios: Sequence[str] | None = None,
        year: int | None = None,
        objective: str = "loss",
        group: str = DEFAULT_GROUP,
        vehicles: Sequence[str] | None = None,
        mix_weight: float = 1.0,
        projects: Sequence[str] | None = None,
        weeks: float | None = None,
    ) -> PortfolioModel:
        """Build the MIP.

        Parameters
        ----------
        dataset : Dataset
        scenarios : sequence of str, optional
            Scenario set (weights from ``scenarios.weight``); default the
            dataset's named shocks.  Each scenario's demand changes and
            disruptions apply in ``year``.
        year : int, optional
            Year of ramp-up and demand (default: latest year with demand).
        objective : {"loss", "localisation", "mix"}
        group : str
            Country group of the localisation objective.
        vehicles : sequence of str, optional
            Vehicle models (final parts) whose localisation counts; default all.
        mix_weight : float
            ``λ`` of the mix objective [RUB of expected loss per RUB/yr of DVA].
        projects : sequence of str, optional
            Candidate projects (default all).
        weeks : float, optional
            Window of every scenario [weeks]; default each scenario's own
            disruption window (longest duration + recovery).
        """
        if objective not in OBJECTIVES:
            raise AnalysisError(f"unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}")
        if not (math.isfinite(mix_weight) and mix_weight >= 0):
            raise AnalysisError("the mix weight λ must be a finite number ≥ 0")
        base_fp = content_fingerprint(dataset)
        ds = without_projects(with_fingerprint(dataset))
        year = resolve_year(ds, None, year)
        use_loss = objective in ("loss", "mix")
        use_loc = objective in ("localisation", "mix")
        scen = (named_shocks(dataset) if scenarios is None else list(scenarios)) if use_loss else []
        weights = dict(ds.scenarios.select("name", "weight").iter_rows())
        unknown = [s for s in scen if s not in weights]
        if unknown:
            raise NotFoundError(f"dataset {ds.name!r}: unknown scenario(s) {', '.join(unknown)}")
        ignored = [s for s in scen if not float(weights[s]) > 0]
        scen = [s for s in scen if float(weights[s]) > 0]  # a weight-0 scenario cannot change the objective
        if use_loss and not scen:
            raise AnalysisError(
                "the loss objective needs at least one scenario with a weight > 0 (--scenarios)"
                + (f"; weight 0: {', '.join(ignored)}" if ignored else "")
            )
        base_net = compile(ds, None, year)
        opts = options(ds, year, projects, base=base_net)
        if not opts:
            raise AnalysisError(f"dataset {ds.name!r} has no projects to choose from")
        top: dict[str, float] = {}
        for o in opts:
            top[o.project] = max(top.get(o.project, 0.0), o.level)
        ids = list(top)
        net = compile_with_projects(ds, ids, year, scale=top, base=base_net)
        total = _vehicle_value(net, vehicles)
        if use_loc and total <= 0:
            raise AnalysisError("the chosen vehicles have no demand in this year: nothing to localise")
        model = cls(
            dataset=ds,
            year=year,
            objective=objective,
            group=group,
            vehicles=tuple(vehicles) if vehicles is not None else None,
            mix_weight=float(mix_weight),
            options=opts,
            scenarios=[],
            net=net,
            total_value=total,
            scale=1.0,
            shared=shared_links(opts),
            fingerprint={},
        )
        model._top = top
        model._base_net = base_net
        model._assemble(ds, scen, weights, weeks, use_loss, use_loc)
        model.fingerprint = {
            "dataset": ds.name,
            "version": ds.version,
            "content": base_fp,
            "analysis": "portfolio",
            "objective": objective,
            "year": year,
            "scenarios": scen,
            "weights": {s: float(weights[s]) for s in scen},
            "scenarios left out (weight 0)": ignored,
            "windows [weeks]": {s.name: s.t_weeks for s in model.scenarios},
            "group": group,
            "vehicles": list(vehicles) if vehicles is not None else "all",
            "mix weight λ [RUB per RUB/yr]": float(mix_weight) if objective == "mix" else None,
            "options": [o.label for o in opts],
            "capex of a level": "project capex × level (proportional to capacity)",
            "exact": not model.shared,
            "shared links": [" | ".join(k) for k in model.shared],
        }
        return model

    def _assemble(
        self,
        ds: Dataset,
        scen: list[str],
        weights: dict[str, float],
        weeks: float | None,
        use_loss: bool,
        use_loc: bool,
    ) -> None:
        from importsub.analysis.disruption import build_ttr
        from importsub.compile.shock import compile_shock

        net = self.net
        opts = self.options
        n, E = net.n_nodes, net.n_links
        b = _Builder()
        # ---------------------------------------------------------- first stage
        y0 = b.cols(len(opts), 0.0, 1.0, 0.0, integer=True)
        assert y0 == 0
        self._row_budget = b.rows(1, -np.inf, np.inf)
        b.coeffs(np.zeros(len(opts)), np.arange(len(opts)), [o.capex for o in opts])
        by_project: dict[str, list[int]] = {}
        for opt in opts:
            by_project.setdefault(opt.project, []).append(opt.index)
        for idx in by_project.values():
            if len(idx) > 1:
                r = b.rows(1, -np.inf, 1.0)
                b.coeffs(np.full(len(idx), r), idx, 1.0)

        # ---------------------------------------------------------- indices on the super network
        link_key = list(
            zip(
                (net.sites[s] for s in net.group_site[net.link_group]),
                (net.parts[p] for p in net.group_part[net.link_group]),
                (net.sites[s] for s in net.node_site[net.link_supplier]),
                strict=True,
            )
        )
        link_at = {key: i for i, key in enumerate(link_key)}
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
        sigma0 = np.array([float(base_share.get(k, 0.0)) for k in link_key])
        delta = np.zeros((len(opts), E))
        K = np.zeros((len(opts), n))
        gate: dict[int, list[int]] = {}
        for opt in opts:
            for key, dd in opt.transfers.items():
                delta[opt.index, link_at[key]] += dd
            for (site, part), added in opt.capacity.items():
                K[opt.index, net.node_index[(site, part)]] += added
            for key in opt.created:
                gate.setdefault(link_at[key], []).append(opt.index)
        self._delta, self._K, self._sigma0, self._gate = delta, K, sigma0, gate
        # base capacity of every node and pool (super capacity minus every option at its largest)
        prod = ds.production
        cap0_map = dict(
            zip(
                zip(prod.get_column("site").to_list(), prod.get_column("part").to_list(), strict=True),
                prod.get_column("capacity").to_list(),
                strict=True,
            )
        )
        cap0 = np.array(
            [float(cap0_map.get((net.sites[net.node_site[j]], net.parts[net.node_part[j]]), 0.0)) for j in range(n)]
        )
        pool_cap0 = ds.capacity_pools.get_column("capacity").cast(pl.Float64).to_numpy()
        changed_groups = np.unique(net.link_group[np.flatnonzero(np.any(delta != 0, axis=0))])
        affected = _upstream(net, np.unique(net.link_supplier[np.flatnonzero(np.any(delta != 0, axis=0))]))
        need_csr = net.need.tocsr()
        group_affected = np.zeros(int(need_csr.shape[0]), dtype=np.bool_)
        coo = need_csr.tocoo()
        group_affected[np.unique(coo.row[affected[coo.col]])] = True
        self._changed_groups = changed_groups
        self._group_affected = group_affected

        # ---------------------------------------------------------- localisation block
        dva_y = np.zeros(len(opts))
        if use_loc:
            d = _vehicle_demand(net, self.vehicles)
            xb = self._xblock(b, "base", d, need_csr, delta, sigma0, group_affected, changed_groups)
            self._loc_block = "base"
            site_in = np.isin(net.site_country, net.group_members(self.group))
            inside = site_in[net.node_site]
            g_in = site_in[net.group_site]  # procurement group at a site in the group
            # DVA = Σ_{j∈G} v_j x_j − Σ_{e: buyer in G} v_{i(e)} (σ⁰_e N_g + Σ_o Δ_{o,e} z_{o,g})
            ve = net.value[net.link_supplier]
            c_g = np.bincount(
                net.link_group, weights=np.where(g_in[net.link_group], sigma0 * ve, 0.0), minlength=len(g_in)
            )
            cx = np.where(inside, net.value, 0.0) - np.asarray(need_csr.T @ c_g).ravel()
            # option o, group g: Σ_{e∈g} Δ_{o,e} v_{i(e)} for g in G
            dv = delta * np.where(g_in[net.link_group], ve, 0.0)[None, :]  # (opts × E)
            dvg = np.zeros((len(opts), len(g_in)))
            for o in range(len(opts)):
                dvg[o] = np.bincount(net.link_group, weights=dv[o], minlength=len(g_in))
            cz = np.array([-dvg[o, g] for o, g in xb.pairs])
            for o in range(len(opts)):
                const = ~group_affected
                dva_y[o] -= float(np.sum(dvg[o, const] * xb.need0[const]))
            self._loc_cost = (cx, cz)
            self._dva_y = dva_y

        # ---------------------------------------------------------- second stage: TTR per scenario
        if use_loss:
            for name in scen:
                snet = compile_with_projects(
                    self.dataset, list(self._top), self.year, scenario=name, scale=self._top, base=self._base_net
                )
                shock = compile_shock(self.dataset, snet, name)
                t = float(weeks if weeks is not None else shock.window)
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
                sc = _Scenario(name, float(weights[name]), t, c0, lp, model.n_cols)
                self.scenarios.append(sc)
                if tau <= 0:
                    continue
                a_node = np.divide(
                    lp.col_upper[lp.col_p], snet.capacity * tau, out=np.zeros(n), where=snet.capacity > 0
                )
                # host capacity: p_j − Σ_o K_oj τ a_j y_o ≤ cap⁰_j τ a_j
                hosts = np.flatnonzero(np.any(K > 0, axis=0))
                for jh in hosts:
                    j = int(jh)
                    r = b.rows(1, -np.inf, cap0[j] * tau * a_node[j])
                    oo = np.flatnonzero(K[:, j] > 0)
                    b.coeffs([r] * (oo.size + 1), [c0 + lp.col_p.start + j, *oo], [1.0, *(-K[oo, j] * tau * a_node[j])])
                    k = int(snet.pool[j])
                    if k >= 0:
                        prow = r0 + lp.row_pool.start + k
                        ratio = lp.row_upper[lp.row_pool.start + k] / (snet.pool_capacity[k] * tau)
                        b.coeffs(np.full(oo.size, prow), oo, -K[oo, j] * tau * ratio)
                        self._set_row_upper(b, prow, pool_cap0[k] * tau * ratio)
                # cut links from a host: f_e ≤ a_e (cap⁰ + Σ K y) τ
                if shock.hit_links.size:
                    la = shock.link_available(t)
                    for ec in shock.hit_links:
                        e = int(ec)
                        js = int(snet.link_supplier[e])
                        if not np.any(K[:, js] > 0) or la[e] >= 1.0:
                            continue
                        oo = np.flatnonzero(K[:, js] > 0)
                        r = b.rows(1, -np.inf, la[e] * cap0[js] * tau)
                        b.coeffs(
                            [r] * (oo.size + 1), [c0 + lp.col_f.start + e, *oo], [1.0, *(-K[oo, js] * la[e] * tau)]
                        )
                # links that exist only when an option creates them
                stock = snet.stock
                for eg, og in gate.items():
                    jg = int(snet.link_supplier[eg])
                    M = snet.capacity[jg] * tau * max(a_node[jg], 0.0) + stock[jg] + 1.0
                    r = b.rows(1, -np.inf, 0.0)
                    b.coeffs([r] * (len(og) + 1), [c0 + lp.col_f.start + eg, *og], [1.0, *([-M] * len(og))])
                # non-qualified links: f_e ≤ σ_e(y) need_g(y) τ
                nq = np.flatnonzero(~snet.link_qualified)
                if nq.size:
                    d_s = snet.demand
                    varying = [int(e) for e in nq if group_affected[snet.link_group[e]] or np.any(delta[:, e] != 0)]
                    need0 = np.asarray(need_csr @ _solve_x(snet, sigma0, d_s), dtype=np.float64)
                    cutb = np.full(E, np.inf)
                    if shock.hit_links.size:
                        la = shock.link_available(t)
                        cut = np.flatnonzero(la < 1.0)
                        cutb[cut] = la[cut] * snet.capacity[snet.link_supplier[cut]] * tau
                    self._set_col_upper(
                        b, c0 + lp.col_f.start + nq, np.minimum(sigma0[nq] * need0[snet.link_group[nq]] * tau, cutb[nq])
                    )
                    vary_aff = [e for e in varying if group_affected[snet.link_group[e]]]
                    xb2 = None
                    if vary_aff:
                        dkey = "demand:" + hashlib.sha1(np.ascontiguousarray(d_s).tobytes()).hexdigest()[:12]
                        xb2 = self._xblock(b, dkey, d_s, need_csr, delta, sigma0, group_affected, changed_groups)
                    for e in varying:
                        g = int(snet.link_group[e])
                        col = c0 + lp.col_f.start + e
                        self._set_col_upper(b, np.array([col]), np.array([cutb[e]]))
                        if not group_affected[g]:
                            oo = np.flatnonzero(delta[:, e] != 0)
                            r = b.rows(1, -np.inf, sigma0[e] * need0[g] * tau)
                            b.coeffs([r] * (oo.size + 1), [col, *oo], [1.0, *(-delta[oo, e] * need0[g] * tau)])
                        else:
                            assert xb2 is not None
                            r = b.rows(1, -np.inf, 0.0)
                            row_need = need_csr.getrow(g)
                            b.coeffs(
                                np.full(row_need.nnz, r), xb2.col_x + row_need.indices, -sigma0[e] * tau * row_need.data
                            )
                            b.coeffs([r], [col], [1.0])
                            for k, (o, gg) in enumerate(xb2.pairs):
                                if gg == g and delta[o, e] != 0:
                                    b.coeffs([r], [xb2.col_z + k], [-delta[o, e] * tau])

        # ---------------------------------------------------------- objective
        cost_parts: list[tuple[int, FloatArray]] = []
        loss_scale = sum(sc.weight * sc.lp.offset for sc in self.scenarios) if use_loss else 0.0
        lam = 1.0 if self.objective == "localisation" else self.mix_weight
        loc_scale = lam * self.total_value if use_loc else 0.0
        self.scale = max(loss_scale, loc_scale, 1.0)
        for sc in self.scenarios:
            cost_parts.append((sc.col0, sc.weight * sc.lp.cost))
        if use_loc and self._loc_cost is not None:
            xb = self._xblocks["base"]
            cx, cz = self._loc_cost
            cost_parts.append((xb.col_x, -lam * cx))
            if cz.size:
                cost_parts.append((xb.col_z, -lam * cz))
            cost_parts.append((0, -lam * dva_y))
        A, lb, ub, _, rlo, rup, integer, cs = b.arrays()
        cost = np.zeros(b.ncol)
        for start, c in cost_parts:
            cost[start : start + c.size] += c
        self._A, self._lb, self._ub, self._cost, self._rlo, self._rup, self._int = A, lb, ub, cost, rlo, rup, integer
        self._cs = np.where(integer, 1.0, cs)
        self._offset = sum(sc.weight * sc.lp.offset for sc in self.scenarios)

    @staticmethod
    def _set_row_upper(b: _Builder, row: int, value: float) -> None:
        start = 0
        for arr in b.rup:
            if row < start + arr.size:
                arr[row - start] = value
                return
            start += arr.size
        raise IndexError(row)

    @staticmethod
    def _set_col_upper(b: _Builder, cols: IntArray, values: FloatArray) -> None:
        starts = np.cumsum([0] + [a.size for a in b.ub])
        for c, v in zip(np.asarray(cols).ravel(), np.asarray(values).ravel(), strict=True):
            k = int(np.searchsorted(starts, c, side="right") - 1)
            b.ub[k][c - starts[k]] = v

    def _xblock(
        self,
        b: _Builder,
        key: str,
        d: FloatArray,
        need: sp.csr_matrix,
        delta: FloatArray,
        sigma0: FloatArray,
        group_affected: np.ndarray,
        changed_groups: IntArray,
    ) -> _XBlock:
        """``(I − A(y)) x = d`` with ``x`` as variables; ``z_{o,g} = y_o · need_g x`` by McCormick
        where ``need_g`` can change, else the constant ``y_o · need⁰_g``."""
        if key in self._xblocks:
            return self._xblocks[key]
        net = self.net
        n = net.n_nodes
        m = int(need.shape[0])
        x0 = _solve_x(net, sigma0, d)
        need0 = np.asarray(need @ x0, dtype=np.float64)
        # upper bound of x: largest shares (σ⁰ + every positive change)
        smax = sigma0 + np.clip(delta, 0.0, None).sum(axis=0)
        xmax = _solve_x(net, smax, d)
        U = np.asarray(need @ xmax, dtype=np.float64) * (1 + 1e-9) + 1e-9
        col_x = b.cols(n, 0.0, np.inf, 0.0, scale=xmax)
        pairs = [
            (o, int(g))
            for o in range(delta.shape[0])
            for g in changed_groups
            if group_affected[g] and np.any(delta[o, net.link_group == g] != 0)
        ]
        col_z = b.cols(len(pairs), 0.0, np.inf, 0.0, scale=np.array([U[g] for _, g in pairs]))
        # rows: x_i − Σ_{e from i} σ⁰_e (need x)_{g(e)} − Σ_{(o,g)} D[i,(o,g)] z_{o,g} − (const pairs) y = d_i
        r0 = b.rows(n, d, d)
        S0 = sp.csr_matrix((sigma0, (net.link_supplier, net.link_group)), shape=(n, m))
        A0 = (S0 @ need).tocoo()
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
            nz = np.flatnonzero((delta[o] != 0) & (net.link_group == g))
            b.coeffs(r0 + net.link_supplier[nz], np.full(nz.size, col_z + k), -delta[o, nz])
            # McCormick: z ≤ U y; z ≤ need_g x; z ≥ need_g x − U (1 − y)
            row = need.getrow(g)
            r1 = b.rows(1, -np.inf, 0.0)
            b.coeffs([r1, r1], [col_z + k, o], [1.0, -U[g]])
            r2 = b.rows(1, -np.inf, 0.0)
            b.coeffs(np.full(row.nnz + 1, r2), [col_z + k, *(col_x + row.indices)], [1.0, *(-row.data)])
            r3 = b.rows(1, -np.inf, U[g])
            b.coeffs(np.full(row.nnz + 2, r3), [col_z + k, o, *(col_x + row.indices)], [-1.0, U[g], *row.data])
        xb = _XBlock(key, col_x, pairs, col_z, need0)
        self._xblocks[key] = xb
        return xb

    # ------------------------------------------------------------------ solver

    @property
    def highs(self) -> Any:
        """The MIP (HiGHS), built on first use."""
        if self._h is None:
            self._h = self._new_highs(integer=True)
        return self._h

    @property
    def highs_lp(self) -> Any:
        """The same model with ``y`` continuous, for evaluating fixed sets (warm-started LP re-solves)."""
        if self._h_lp is None:
            self._h_lp = self._new_highs(integer=False)
        return self._h_lp

    def _new_highs(self, *, integer: bool) -> Any:
        import highspy

        from importsub.analysis.disruption import new_highs

        h = new_highs()
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        if self._rs is None:
            # scaling: columns by their typical size, geometric passes, then rows by their largest coefficient
            cs, rs, A = _scaling(self._A, self._cs, self._int)
            self._cs, self._rs, self._As = cs, rs, A
        cs, rs, A = self._cs, self._rs, self._As
        lp.num_col_ = A.shape[1]
        lp.num_row_ = A.shape[0]
        lp.col_cost_ = self._cost * cs / self.scale
        lp.col_lower_ = self._lb / cs
        lp.col_upper_ = np.where(np.isfinite(self._ub), self._ub / cs, inf)
        lp.row_lower_ = np.where(np.isfinite(self._rlo), self._rlo * rs, -inf)
        lp.row_upper_ = np.where(np.isfinite(self._rup), self._rup * rs, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(np.float64)
        if integer:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in self._int
            ]
        h.setOptionValue("small_matrix_value", 1e-12)
        if h.passModel(lp) == highspy.HighsStatus.kError:
            raise AnalysisError("HiGHS rejected the portfolio model")
        for option in ("primal_feasibility_tolerance", "dual_feasibility_tolerance", "mip_feasibility_tolerance"):
            h.setOptionValue(option, 1e-9)
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        h.setOptionValue("mip_abs_gap", 1e-9)
        return h

    @property
    def n_options(self) -> int:
        return len(self.options)

    def _run(self, budget: float, fixed: Sequence[int] | None) -> Evaluation:
        import highspy

        h = self.highs if fixed is None else self.highs_lp
        inf = highspy.kHighsInf
        k = self.n_options
        rs = float(self._rs[self._row_budget])
        h.changeRowBounds(self._row_budget, -inf, float(budget) * rs if math.isfinite(budget) else inf)
        idx = np.arange(k, dtype=np.int32)
        if fixed is None:
            h.changeColsBounds(k, idx, np.zeros(k), np.ones(k))
        else:
            v = np.zeros(k)
            v[list(fixed)] = 1.0
            h.changeColsBounds(k, idx, v, v)
        h.run()
        status = h.getModelStatus()
        MS = highspy.HighsModelStatus
        if status == MS.kInfeasible:
            raise InfeasibleError(f"portfolio model infeasible (budget {budget:,.0f} RUB)")
        if status != MS.kOptimal:
            raise AnalysisError(f"portfolio model not solved: HiGHS status {h.modelStatusToString(status)}")
        z = np.asarray(h.getSolution().col_value, dtype=np.float64) * self._cs
        chosen = tuple(int(i) for i in np.flatnonzero(z[:k] > 0.5))
        return self._evaluation(chosen, z)

    def _evaluation(self, chosen: tuple[int, ...], z: FloatArray) -> Evaluation:
        losses = {sc.name: float(sc.lp.offset + sc.lp.cost @ z[sc.col0 : sc.col0 + sc.ncols]) for sc in self.scenarios}
        exp_loss = sum(sc.weight * losses[sc.name] for sc in self.scenarios) if self.scenarios else None
        dva = None
        ic = None
        if self._loc_cost is not None and self._dva_y is not None:
            xb = self._xblocks["base"]
            cx, cz = self._loc_cost
            n = self.net.n_nodes
            dva = float(
                cx @ z[xb.col_x : xb.col_x + n]
                + cz @ z[xb.col_z : xb.col_z + cz.size]
                + self._dva_y[list(chosen)].sum()
            )
            ic = 100.0 * (1.0 - dva / self.total_value)
        lam = 1.0 if self.objective == "localisation" else self.mix_weight
        obj = (exp_loss or 0.0) - (lam * dva if dva is not None else 0.0)
        capex = float(sum(self.options[i].capex for i in chosen))
        return Evaluation(chosen, obj, exp_loss, losses, dva, ic, capex)

    def solve(self, budget: float) -> Evaluation:
        """The optimal set of options within ``budget`` [RUB]."""
        return self._run(budget, None)

    def evaluate(self, chosen: Sequence[int]) -> Evaluation:
        """Objective of a fixed set of options (indices into :attr:`options`)."""
        key = tuple(sorted({int(i) for i in chosen}))
        projects = [self.options[i].project for i in key]
        if len(set(projects)) != len(projects):
            raise AnalysisError("a set may hold one level of each project only")
        hit = self._cache.get(key)
        if hit is None:
            hit = self._run(math.inf, key)
            self._cache[key] = hit
        return hit


# ============================================================================ helpers


def _scaling(
    A0: sp.csc_matrix, cs0: FloatArray, integer: np.ndarray, passes: int = 6
) -> tuple[FloatArray, FloatArray, sp.csc_matrix]:
    """Column and row scale factors: ``A' = diag(rs) · A · diag(cs)`` (the solver sees ``z / cs``).

    Columns start at their typical magnitude ``cs0``; then ``passes`` rounds of
    geometric scaling (each row, then each continuous column, divided by
    ``sqrt(max |a| · min |a|)``); finally rows are divided by their largest
    coefficient.  Integer columns keep scale 1.
    """
    A = (A0 @ sp.diags(cs0)).tocsr()
    nr = A.shape[0]
    rs = np.ones(nr)
    cs = cs0.copy()
    cont = ~np.asarray(integer, dtype=np.bool_)
    for _ in range(passes):
        if A.nnz == 0:
            break
        absA = abs(A)
        rmax = absA.max(axis=1).toarray().ravel()
        rmin = _row_min(absA)
        f = np.where(rmax > 0, 1.0 / np.sqrt(np.where(rmax > 0, rmax * rmin, 1.0)), 1.0)
        rs *= f
        A = (sp.diags(f) @ A).tocsc()
        absA = abs(A)
        cmax = absA.max(axis=0).toarray().ravel()
        cmin = _row_min(absA.T.tocsr())
        g = np.where((cmax > 0) & cont, 1.0 / np.sqrt(np.where(cmax > 0, cmax * cmin, 1.0)), 1.0)
        cs *= g
        A = (A @ sp.diags(g)).tocsr()
    rmax = abs(A).max(axis=1).toarray().ravel()
    f = np.where(rmax > 0, 1.0 / np.where(rmax > 0, rmax, 1.0), 1.0)
    rs *= f
    A = (sp.diags(f) @ A).tocsc()
    A.sort_indices()
    return cs, rs, A


def _row_min(absA: sp.csr_matrix) -> FloatArray:
    """Smallest non-zero |a| of each row (1 for an empty row)."""
    out = np.ones(absA.shape[0])
    lens = np.diff(absA.indptr)
    nz = np.flatnonzero(lens)
    if nz.size:
        out[nz] = np.minimum.reduceat(absA.data, absA.indptr[nz])
    return out


def _vehicle_demand(net: Network, vehicles: Sequence[str] | None) -> FloatArray:
    d = net.demand.copy()
    if vehicles is not None:
        known = set(net.parts)
        bad = [v for v in vehicles if v not in known]
        if bad:
            raise NotFoundError(f"unknown vehicle model(s) {', '.join(bad)}")
        chosen = np.isin(np.asarray(net.parts, dtype=object)[net.node_part], list(vehicles))
        d = np.where(chosen, d, 0.0)
    return d


def _vehicle_value(net: Network, vehicles: Sequence[str] | None) -> float:
    return float(np.sum(_vehicle_demand(net, vehicles) * net.value))


def _solve_x(net: Network, share: FloatArray, d: FloatArray) -> FloatArray:
    """Gross output ``x`` [units/yr] of ``(I − A) x = d`` with ``A = S(share) · need`` on the
    structure of ``net`` (levels: buyers before suppliers)."""
    n, m = net.n_nodes, int(net.need.shape[0])
    S = sp.csr_matrix((share, (net.link_supplier, net.link_group)), shape=(n, m))
    A = (S @ net.need).tocsr()
    x = np.array(d, dtype=np.float64, copy=True)
    for idx in reversed(net.levels):
        blk = A[idx]
        if blk.nnz:
            x[idx] += blk @ x
    return x


def _upstream(net: Network, sources: IntArray) -> np.ndarray:
    """Nodes that are ``sources`` or supply them through any chain of links (share 0 included)."""
    n, m = net.n_nodes, int(net.need.shape[0])
    mark = np.zeros(n, dtype=np.bool_)
    mark[sources] = True
    if sources.size == 0:
        return mark
    S1 = sp.csr_matrix((np.ones(net.n_links), (net.link_supplier, net.link_group)), shape=(n, m))
    need1 = net.need.copy()
    need1.data[:] = 1.0
    P = (S1 @ need1).tocsr()  # supplier i → buyer node j
    for idx in reversed(net.levels):  # buyers before suppliers
        blk = P[idx]
        if blk.nnz:
            hit = np.asarray(blk @ mark.astype(np.float64)).ravel() > 0
            mark[idx] |= hit
    return mark


# ============================================================================ results


def greedy(model: PortfolioModel, budget: float) -> tuple[list[int], list[dict[str, Any]]]:
    """Greedy benefit/cost: options ranked by standalone benefit / capex, taken while they fit.

    Benefit of option o = objective(∅) − objective({o}) (loss avoided, domestic
    value added gained, or both for mix); only options with a positive
    benefit are taken; one option per project.
    """
    none = model.evaluate([])
    rows = []
    for o in model.options:
        ev = model.evaluate([o.index])
        benefit = none.objective - ev.objective
        ratio = benefit / o.capex if o.capex > 0 else (math.inf if benefit > 0 else 0.0)
        rows.append({"option": o.index, "benefit": benefit, "ratio": ratio})
    order = sorted(rows, key=lambda r: (-r["ratio"], -r["benefit"], r["option"]))
    chosen: list[int] = []
    spent = 0.0
    taken: set[str] = set()
    for r in order:
        o = model.options[int(r["option"])]
        if r["benefit"] <= _tol(model) or o.project in taken or spent + o.capex > budget * (1 + 1e-12):
            continue
        chosen.append(o.index)
        spent += o.capex
        taken.add(o.project)
    return sorted(chosen), rows


def _tol(model: PortfolioModel) -> float:
    return 1e-7 * model.scale


def _unit(model: PortfolioModel) -> str:
    return {
        "loss": "expected loss [RUB]",
        "localisation": "domestic value added [RUB/yr]",
        "mix": "expected loss − λ·DVA [RUB]",
    }[model.objective]


def optimise(model: PortfolioModel, budget: float) -> Result:
    """Solve for ``budget`` [RUB]: the chosen set, why each project is in it, and the greedy comparison.

    Tables
    ------
    chosen : per funded project — level [×], capex [RUB], marginal contribution
        (objective without it minus with it), standalone benefit, loss avoided
        per scenario (loss objectives), and a sentence saying why.
    options : every option — capex, standalone benefit, benefit per RUB, chosen by MIP / greedy.
    summary : objective, expected loss, import content, capex of: no project, MIP, greedy, best single.
    scenarios : loss per scenario of no project, MIP and greedy [RUB] (loss objectives).
    differences : options chosen by one of MIP / greedy only, with both objectives.
    """
    best = model.solve(budget)
    chosen = _prune(model, best)
    greedy_set, ranking = greedy(model, budget)
    g = model.evaluate(greedy_set)
    none = model.evaluate([])
    singles = [model.evaluate([o.index]) for o in model.options if o.capex <= budget]
    best_single = min(singles, key=lambda e: e.objective) if singles else none
    tables: dict[str, pl.DataFrame] = {
        "chosen": _chosen_table(model, chosen, none),
        "options": _options_table(model, ranking, chosen.chosen, greedy_set),
        "summary": _summary_table(model, {"no project": none, "MIP": chosen, "greedy": g, "best single": best_single}),
        "differences": _differences(model, chosen, g),
    }
    if model.scenarios:
        tables["scenarios"] = pl.DataFrame(
            {
                "scenario": [s.name for s in model.scenarios],
                "weight [probability]": [s.weight for s in model.scenarios],
                "window [weeks]": [s.t_weeks for s in model.scenarios],
                "loss, no project [RUB]": [none.losses[s.name] for s in model.scenarios],
                "loss, MIP [RUB]": [chosen.losses[s.name] for s in model.scenarios],
                "loss, greedy [RUB]": [g.losses[s.name] for s in model.scenarios],
            }
        )
    tables["notes"] = _notes(model, none, chosen, g)
    fp = dict(model.fingerprint)
    fp["budget [RUB]"] = float(budget)
    return Result("portfolio", tables, fp)


def _notes(model: PortfolioModel, none: Evaluation, mip: Evaluation, g: Evaluation) -> pl.DataFrame:
    """Plain sentences a reader needs beside the numbers."""
    notes: list[str] = []
    if not mip.chosen:
        notes.append(
            "No project improves the objective within this budget (every option's benefit is zero or it does not fit)."
        )
    if (
        model.scenarios
        and none.expected_loss is not None
        and mip.expected_loss is not None
        and abs(none.expected_loss - mip.expected_loss) <= _tol(model)
    ):
        notes.append(
            "The funded projects do not change the expected loss of these scenarios: the losses come from "
            "inputs no candidate project makes (see `importsub shock run` for the binding constraints)."
        )
    for s in model.scenarios:
        if s.t_weeks <= 0:
            notes.append(f"Scenario {s.name} has no disruption window (0 weeks): it loses nothing.")
    if model.shared:
        notes.append(
            "Links substitutable by more than one project: "
            + ", ".join(" | ".join(k) for k in model.shared)
            + ". The model adds each project's take-over as if alone (not exact there); apply the chosen set with "
            "`importsub projects impact` to check."
        )
    if set(mip.chosen) != set(g.chosen):
        gap = g.objective - mip.objective
        notes.append(
            f"Greedy benefit/cost funds a different set; its objective is worse by {gap:,.2f} ({_unit(model)})."
            if gap > _tol(model)
            else "Greedy benefit/cost funds a different set with the same objective."
        )
    notes.append("Capex of a capacity level = project capex × level; at most one level per project.")
    return pl.DataFrame({"note": notes}, schema={"note": pl.String})


def _prune(model: PortfolioModel, ev: Evaluation) -> Evaluation:
    """Among ties, the cheaper choice: drop funded options that contribute nothing, and fund a
    lower capacity level of a project where it gives the same objective."""
    chosen = list(ev.chosen)
    for i in sorted(chosen, key=lambda i: -model.options[i].capex):
        rest = [j for j in chosen if j != i]
        if model.evaluate(rest).objective <= ev.objective + _tol(model):
            chosen = rest
    for i in list(chosen):
        o = model.options[i]
        cheaper = sorted(
            (p for p in model.options if p.project == o.project and p.capex < o.capex), key=lambda p: p.capex
        )
        for p in cheaper:
            trial = [p.index if j == i else j for j in chosen]
            if model.evaluate(trial).objective <= ev.objective + _tol(model):
                chosen = trial
                break
    return model.evaluate(chosen) if sorted(chosen) != sorted(ev.chosen) else ev


def _chosen_table(model: PortfolioModel, ev: Evaluation, none: Evaluation) -> pl.DataFrame:
    rows = []
    for i in ev.chosen:
        o = model.options[i]
        without = model.evaluate([j for j in ev.chosen if j != i])
        alone = model.evaluate([i])
        marginal = without.objective - ev.objective
        why = [f"capacity {sum(o.capacity.values()):,.0f} units/yr at {', '.join(sorted({s for s, _ in o.capacity}))}"]
        if ev.import_content is not None and without.import_content is not None:
            why.append(f"import content −{without.import_content - ev.import_content:.3f} pp")
        row: dict[str, Any] = {
            "project": o.project,
            "level [×]": o.level,
            "capex [RUB]": o.capex,
            f"marginal contribution: {_unit(model)}": marginal,
            f"standalone benefit: {_unit(model)}": none.objective - alone.objective,
        }
        if model.scenarios:
            avoided = {s.name: without.losses[s.name] - ev.losses[s.name] for s in model.scenarios}
            top = sorted(avoided.items(), key=lambda kv: -kv[1])[:3]
            why.append(
                "loss avoided " + ", ".join(f"{k}: {v:,.0f} RUB" for k, v in top if v > 0)
                if any(v > 0 for _, v in top)
                else "no loss avoided in these scenarios"
            )
            row["expected loss avoided [RUB]"] = (without.expected_loss or 0.0) - (ev.expected_loss or 0.0)
        if ev.domestic_value is not None and without.domestic_value is not None:
            row["domestic value added gained [RUB/yr]"] = ev.domestic_value - without.domestic_value
        row["why"] = "; ".join(why)
        rows.append(row)
    if not rows:
        return pl.DataFrame({"project": [], "why": []}, schema={"project": pl.String, "why": pl.String})
    return pl.DataFrame(rows)


def _options_table(
    model: PortfolioModel, ranking: list[dict[str, Any]], mip: Sequence[int], greedy_set: Sequence[int]
) -> pl.DataFrame:
    rank = {
        r["option"]: k + 1
        for k, r in enumerate(sorted(ranking, key=lambda r: (-r["ratio"], -r["benefit"], r["option"])))
    }
    by = {r["option"]: r for r in ranking}
    return pl.DataFrame(
        {
            "project": [o.project for o in model.options],
            "level [×]": [o.level for o in model.options],
            "capex [RUB]": [o.capex for o in model.options],
            f"standalone benefit: {_unit(model)}": [by[o.index]["benefit"] for o in model.options],
            "benefit per RUB of capex": [
                by[o.index]["ratio"] if math.isfinite(by[o.index]["ratio"]) else None for o in model.options
            ],
            "greedy rank": [rank[o.index] for o in model.options],
            "MIP": [o.index in mip for o in model.options],
            "greedy": [o.index in greedy_set for o in model.options],
        }
    )


def _summary_table(model: PortfolioModel, evs: dict[str, Evaluation]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "choice": list(evs),
            "projects": [", ".join(model.options[i].label for i in e.chosen) for e in evs.values()],
            "capex [RUB]": [e.capex for e in evs.values()],
            f"objective: {_unit(model)}": [
                e.objective if model.objective != "localisation" else -e.objective for e in evs.values()
            ],
            "expected loss [RUB]": [e.expected_loss for e in evs.values()],
            "import content [%]": [e.import_content for e in evs.values()],
        }
    )


def _differences(model: PortfolioModel, mip: Evaluation, g: Evaluation) -> pl.DataFrame:
    a, b = set(mip.chosen), set(g.chosen)
    rows = [
        {
            "project": model.options[i].label,
            "funded by": "MIP only" if i in a else "greedy only",
            "capex [RUB]": model.options[i].capex,
        }
        for i in sorted(a ^ b)
    ]
    gap = g.objective - mip.objective
    schema = {"project": pl.String, "funded by": pl.String, "capex [RUB]": pl.Float64}
    df = pl.DataFrame(rows, schema=schema)
    return df.with_columns(pl.lit(gap).alias(f"greedy worse by: {_unit(model)}"))


def sweep_budgets(model: PortfolioModel, budget: float, steps: int = 11) -> list[float]:
    """``steps`` evenly spaced budgets from 0 to ``budget`` [RUB]."""
    if steps < 2:
        raise AnalysisError("a sweep needs at least 2 budget points")
    pts = set(np.linspace(0.0, float(budget), steps).tolist())
    return sorted(pts)


def frontier(model: PortfolioModel, budgets: Sequence[float], on_point: Callable[[], None] | None = None) -> Result:
    """Budget sweep: the Pareto frontier (budget → best objective) with the chosen set at each point,
    and the greedy choice at the same budget."""
    rows = []
    for B in budgets:
        ev = _prune(model, model.solve(B))
        gs, _ = greedy(model, B)
        g = model.evaluate(gs)
        rows.append(
            {
                "budget [RUB]": float(B),
                "capex used [RUB]": ev.capex,
                f"objective: {_unit(model)}": ev.objective if model.objective != "localisation" else -ev.objective,
                "expected loss [RUB]": ev.expected_loss,
                "import content [%]": ev.import_content,
                "projects": ", ".join(model.options[i].label for i in ev.chosen),
                "greedy projects": ", ".join(model.options[i].label for i in g.chosen),
                f"greedy objective: {_unit(model)}": g.objective if model.objective != "localisation" else -g.objective,
                "greedy differs": set(ev.chosen) != set(g.chosen),
            }
        )
        if on_point is not None:
            on_point()
    fp = dict(model.fingerprint)
    fp["budgets [RUB]"] = [float(b) for b in budgets]
    top = optimise(model, max(budgets)) if budgets else None
    tables = {"frontier": pl.DataFrame(rows)}
    if top is not None:
        tables.update(top.tables)
    return Result("portfolio", tables, fp)


# ============================================================================ independent evaluation


def evaluate_applied(model: PortfolioModel, chosen: Sequence[int]) -> Evaluation:
    """The objective of a set, computed the long way (for tests and the shared-link check):
    apply the projects (:func:`~importsub.analysis.projects.application`), compile, and run
    the TTR model per scenario and the localisation figures on the result."""
    from importsub.analysis.disruption import build_ttr
    from importsub.compile.shock import compile_shock

    opts = [model.options[i] for i in chosen]
    ids = [o.project for o in opts]
    scale = {o.project: o.level for o in opts}
    losses: dict[str, float] = {}
    for sc in model.scenarios:
        net = compile_with_projects(model.dataset, ids, model.year, scenario=sc.name, scale=scale)
        shock = compile_shock(model.dataset, net, sc.name)
        losses[sc.name] = build_ttr(net, shock, sc.t_weeks).solve(values=False).lost_margin
    exp = sum(sc.weight * losses[sc.name] for sc in model.scenarios) if model.scenarios else None
    dva = ic = None
    if model.objective in ("localisation", "mix"):
        net = compile_with_projects(model.dataset, ids, model.year, scale=scale)
        f = figures(net, model.group, model.vehicles)
        dva = f.domestic_value
        ic = f.import_content
    lam = 1.0 if model.objective == "localisation" else model.mix_weight
    obj = (exp or 0.0) - (lam * dva if dva is not None else 0.0)
    return Evaluation(tuple(sorted(chosen)), obj, exp, losses, dva, ic, float(sum(o.capex for o in opts)))


# ============================================================================ synthetic instances


def synth_projects(ds: Dataset, n: int, seed: int = 0, *, year: int | None = None) -> Dataset:
    """Add ``n`` synthetic projects to a (synthetic) dataset, for benchmarks and tests.

    Each project substitutes imports of one part into the union: its host is a
    union site already making that part (so no supply cycle can arise), its
    target is 30–100 % of the part's imported volume into the union
    [units/yr], its substitutable links are the part's imported links into
    union buyers (at most 8, largest first), its capex 0.3–1.5 × one year of
    the target's value [RUB]; ramp-up 0.5–1 in ``year`` (default the first
    year with demand) and 1 from the next year; ``max_scale`` 1 (60 %), 1.5
    or 2.  No two projects share a part, so no link is substitutable by two
    projects.  Existing projects are kept.
    """
    rng = np.random.default_rng(seed)
    years = sorted(int(y) for y in ds.demand.get_column("year").unique().to_list())
    if not years:
        raise AnalysisError("synth_projects needs a dataset with demand")
    y0 = years[0] if year is None else int(year)
    net = compile(without_projects(ds), None, y0)
    x = gross_output(net)
    flow = net.link_share * np.asarray(net.need @ x).ravel()[net.link_group]
    union = net.group_members("union")
    buyer_in = np.isin(net.site_country[net.group_site[net.link_group]], union)
    sup_out = ~np.isin(net.node_country[net.link_supplier], union)
    imp = np.flatnonzero(buyer_in & sup_out & (flow > 0))
    part_of = net.group_part[net.link_group[imp]]
    producers_in: dict[int, list[int]] = {}
    node_in = np.isin(net.node_country, union)
    for j in np.flatnonzero(node_in):
        producers_in.setdefault(int(net.node_part[j]), []).append(int(net.node_site[j]))
    vol = np.bincount(part_of, weights=flow[imp], minlength=len(net.parts))
    val = vol * net.part_value
    cand = [int(p) for p in np.argsort(-val) if vol[p] > 0 and p in producers_in]
    taken = set(ds.project_outputs.get_column("part").to_list())
    cand = [p for p in cand if net.parts[p] not in taken]
    if len(cand) < n:
        raise AnalysisError(f"only {len(cand)} imported parts have a union producer: cannot make {n} projects")
    pool = cand[: max(n, min(len(cand), 3 * n))]
    picks = rng.choice(len(pool), size=n, replace=False)
    rows_p, rows_o, rows_r, rows_s, rows_m, rows_pp = [], [], [], [], [], []
    statuses = ("planned", "financing", "construction", "ramp-up", "operating")
    site_org = dict(
        zip(ds.sites.get_column("id").to_list(), ds.sites.get_column("organization").to_list(), strict=True)
    )
    for k, pi in enumerate(sorted(int(i) for i in picks)):
        p = pool[pi]
        pid = f"P-SYN-{k + 1:03d}"
        host = net.sites[int(rng.choice(producers_in[p]))]
        target = float(np.ceil(vol[p] * rng.uniform(0.3, 1.0)))
        capex = float(round(target * net.part_value[p] * rng.uniform(0.3, 1.5), -3))
        top = float(rng.choice([1.0, 1.0, 1.0, 1.5, 2.0]))
        rows_p.append(
            {
                "id": pid,
                "name": f"Synthetic project {k + 1}",
                "name_local": f"Синтетический проект {k + 1}",
                "host_site": host,
                "capex": capex,
                "opex": round(capex * 0.1, -3),
                "start": y0 - 1,
                "mrl": int(rng.integers(3, 10)),
                "status": str(rng.choice(statuses)),
                "max_scale": top,
                "source": "synthetic (importsub portfolio.synth_projects)",
            }
        )
        rows_pp.append({"project": pid, "organization": site_org[host], "role": "host"})
        rows_o.append({"project": pid, "part": net.parts[p], "capacity": target})
        rows_r.append({"project": pid, "year": y0, "fraction": float(round(rng.uniform(0.5, 1.0), 2))})
        rows_r.append({"project": pid, "year": y0 + 1, "fraction": 1.0})
        links = imp[part_of == p]
        links = links[np.argsort(-flow[links])][:8]
        for e in links:
            g = net.link_group[e]
            sup = net.sites[net.node_site[net.link_supplier[e]]]
            if sup == host:
                continue
            rows_s.append(
                {"project": pid, "buyer": net.sites[net.group_site[g]], "part": net.parts[p], "supplier": sup}
            )
        import datetime as dt

        due = dt.date(y0 - 1, 6, 30)
        rows_m.append(
            {
                "project": pid,
                "name": "Investment agreement",
                "due": due,
                "done": due + dt.timedelta(days=int(rng.integers(0, 90))),
            }
        )
        rows_m.append({"project": pid, "name": "Start of production", "due": dt.date(y0, 6, 30), "done": None})

    def add(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
        old = ds.tables[name]
        new = pl.DataFrame(rows, schema=old.schema) if rows else old.head(0)
        return pl.concat([old, new])

    return Dataset.from_frames(
        ds.name,
        {
            **ds.tables,
            "projects": add("projects", rows_p),
            "project_partners": add("project_partners", rows_pp),
            "project_outputs": add("project_outputs", rows_o),
            "project_rampup": add("project_rampup", rows_r),
            "project_substitutes": add("project_substitutes", rows_s),
            "milestones": add("milestones", rows_m),
        },
    )


def synth_scenarios(ds: Dataset, n: int, seed: int = 0, *, year: int | None = None) -> Dataset:
    """Add ``n`` synthetic disruption scenarios (named ``S-001`` …), weights summing to 1.

    Mix: a whole outside country cut for 4–12 weeks (40 %), one outside
    supplier site down for its time to recover or 4–16 weeks at severity
    0.5–1 (40 %), all outside suppliers cut for 2–8 weeks (20 %, severity
    0.5–1).  Sites are drawn among outside suppliers weighted by the value
    they ship into the union.
    """
    rng = np.random.default_rng(seed)
    years = sorted(int(y) for y in ds.demand.get_column("year").unique().to_list())
    y0 = years[0] if year is None else int(year)
    net = compile(without_projects(ds), None, y0)
    x = gross_output(net)
    flow = net.link_share * np.asarray(net.need @ x).ravel()[net.link_group]
    union = net.group_members("union")
    outside_node = ~np.isin(net.node_country, union)
    ship = np.bincount(
        net.node_site[net.link_supplier], weights=flow * net.value[net.link_supplier], minlength=len(net.sites)
    )
    site_ok = np.zeros(len(net.sites), dtype=np.bool_)
    site_ok[net.node_site[outside_node]] = True
    site_w = np.where(site_ok, ship, 0.0)
    countries = sorted({net.countries[c] for c in net.node_country[outside_node]})
    has_group = "external" in set(ds.country_groups.get_column("group").to_list())
    raw = rng.uniform(0.2, 1.0, n)
    weights = raw / raw.sum()
    scen, dis = [], []
    for k in range(n):
        name = f"S-{k + 1:03d}"
        u = rng.uniform()
        if u < 0.4 and countries:
            c = str(rng.choice(countries))
            dis.append(
                {
                    "scenario": name,
                    "target_kind": "country",
                    "target": c,
                    "severity": 1.0,
                    "duration": float(rng.integers(4, 13)),
                    "recovery": "instant",
                }
            )
            desc = f"{c} cut off"
        elif u < 0.8 and site_w.sum() > 0:
            s = int(rng.choice(len(site_w), p=site_w / site_w.sum()))
            dis.append(
                {
                    "scenario": name,
                    "target_kind": "site",
                    "target": net.sites[s],
                    "severity": float(round(rng.uniform(0.5, 1.0), 2)),
                    "duration": float(rng.integers(4, 17)),
                    "recovery": str(rng.choice(["instant", "linear"])),
                }
            )
            desc = f"site {net.sites[s]} down"
        else:
            if has_group:
                dis.append(
                    {
                        "scenario": name,
                        "target_kind": "group",
                        "target": "external",
                        "severity": float(round(rng.uniform(0.5, 1.0), 2)),
                        "duration": float(rng.integers(2, 9)),
                        "recovery": "instant",
                    }
                )
            else:  # pragma: no cover - synth always has the group
                dis.append(
                    {
                        "scenario": name,
                        "target_kind": "country",
                        "target": countries[0],
                        "severity": 1.0,
                        "duration": 4.0,
                        "recovery": "instant",
                    }
                )
            desc = "outside suppliers cut"
        scen.append({"name": name, "description": f"synthetic: {desc}", "year": y0, "weight": float(weights[k])})

    def add(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
        old = ds.tables[name]
        return pl.concat([old, pl.DataFrame(rows, schema=old.schema)]) if rows else old

    return Dataset.from_frames(
        ds.name, {**ds.tables, "scenarios": add("scenarios", scen), "disruptions": add("disruptions", dis)}
    )
