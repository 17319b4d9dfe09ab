"""The portfolio MIP: its build from a dataset (:class:`PortfolioModel`), its HiGHS instances and their solves.

The blocks it is made of are in :mod:`importsub.analysis.portfolio.stages`; the maths is in the package docstring.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from importsub.analysis.localisation import DEFAULT_GROUP
from importsub.analysis.portfolio.algebra import _vehicle_value
from importsub.analysis.portfolio.assembly import _Builder, _scaling
from importsub.analysis.portfolio.benders import DEFAULT_GAP, Decomposition, SolveReport
from importsub.analysis.portfolio.choices import Option, options, shared_links
from importsub.analysis.portfolio.requirement import Requirement, RequirementBlock, requirement_block
from importsub.analysis.portfolio.stages import (
    _Scenario,
    _XBlock,
    first_stage,
    localisation,
    option_changes,
    scenario,
)
from importsub.analysis.projects import (
    compile_with_projects,
    content_fingerprint,
    named_shocks,
    resolve_year,
    with_fingerprint,
    without_projects,
)
from importsub.compile.build import compile
from importsub.compile.network import FloatArray, Network
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError, InfeasibleError, NotFoundError
from importsub.solvers.highs import (
    change_col_bounds,
    change_row_bounds,
    col_values,
    highs_lp,
    new_highs,
    pass_model,
    raise_unless_optimal,
    run,
)

OBJECTIVES = ("loss", "localisation", "mix")
MIP_REL_GAP = 1e-9
METHODS = ("auto", "mip", "benders")
AUTO_COLUMNS = 250_000
"""``method="auto"``: the monolithic MIP up to this many second-stage columns (scenarios × TTR columns), else Benders."""


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
    report: SolveReport | None = None  # how the solve ended (bounds, gap), for a solve within a budget


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
    _require: Requirement | None = None
    #: the rows of ``--require`` (None without one), see :mod:`importsub.analysis.portfolio.requirement`
    requirement: RequirementBlock | None = None
    method: str = "mip"  # "mip" (one HiGHS MIP) or "benders" (decomposition), resolved from "auto" at build
    scheduler: str | None = None  # Benders: second stages on this Dask scheduler, or
    workers: int | None = None  # on a local cluster of this many workers (≥ 2)
    _decomp: Decomposition | None = None

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
        require: str | None = None,
        method: str = "auto",
        scheduler: str | None = None,
        workers: int | None = None,
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
        require : str, optional
            ``REGIME:YEAR[:PURPOSE]``: every model meets its statutory threshold in that year
            (:mod:`importsub.analysis.portfolio.requirement`).
        method : {"auto", "mip", "benders"}
            One monolithic HiGHS MIP, or Benders decomposition (one second-stage LP per
            scenario); ``auto`` takes the MIP up to :data:`AUTO_COLUMNS` second-stage columns.
        scheduler, workers : Benders only: the second-stage LPs live on Dask workers (an existing
            scheduler, or a local cluster of ``workers ≥ 2``), each kept warm between iterations;
            call :meth:`close` when done.
        """
        if method not in METHODS:
            raise AnalysisError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
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
        model._require = Requirement.parse(require) if require else None
        if method == "auto":
            per_scenario = net.n_nodes + net.n_links + int(np.count_nonzero(net.demand > 0))
            large = per_scenario * max(len(scen), 1) > AUTO_COLUMNS
            method = "benders" if large and model._require is None else "mip"
        model.method = method
        model.scheduler, model.workers = scheduler, workers
        if model._require is not None and method == "benders":
            raise AnalysisError("--require needs --method mip: the decomposition does not carry the statutory rows yet")
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
            "method": method,
            "shared links": [" | ".join(k) for k in model.shared],
        }
        if model._require is not None:
            model.fingerprint["requirement"] = model._require.label
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
        """Add the blocks in order (first stage, localisation, one TTR copy per scenario), then the objective."""
        from importsub.compile.shock import compile_shock

        b = _Builder()
        self._row_budget = first_stage(b, self.options)
        if self._require is not None:
            assert self._base_net is not None
            self.requirement = requirement_block(
                b, self._require, ds, self._base_net, self.options, self.year, self.group, self.vehicles
            )
        ch = option_changes(ds, self.net, self.options)
        self._delta, self._K, self._sigma0, self._gate = ch.delta, ch.K, ch.sigma0, ch.gate
        self._changed_groups = ch.changed_groups
        self._group_affected = ch.group_affected
        dva_y = np.zeros(len(self.options))
        if use_loc:
            self._loc_cost, dva_y = localisation(b, self._xblocks, self.net, ch, self.vehicles, self.group)
            self._loc_block = "base"
            self._dva_y = dva_y
        if use_loss:
            for name in scen:
                snet = compile_with_projects(
                    self.dataset, list(self._top), self.year, scenario=name, scale=self._top, base=self._base_net
                )
                shock = compile_shock(self.dataset, snet, name)
                t = float(weeks if weeks is not None else shock.window)
                sc = scenario(
                    b,
                    self._xblocks,
                    self.net,
                    ch,
                    name,
                    float(weights[name]),
                    snet,
                    shock,
                    t,
                    own_blocks=self.method == "benders",
                )
                self.scenarios.append(sc)
        self._objective(b, dva_y, use_loss, use_loc)

    def _objective(self, b: _Builder, dva_y: FloatArray, use_loss: bool, use_loc: bool) -> None:
        """Costs (expected loss and/or −λ·DVA), the objective scale, and the model's final arrays."""
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

    def _scaled(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, Any]:
        """The model as the solver sees it: ``z / cs`` and rows times ``rs`` (costs, bounds, matrix)."""
        if self._rs is None:
            # scaling: columns by their typical size, geometric passes, then rows by their largest coefficient
            cs, rs, A = _scaling(self._A, self._cs, self._int)
            self._cs, self._rs, self._As = cs, rs, A
        cs, rs, A = self._cs, self._rs, self._As
        return self._cost * cs / self.scale, self._lb / cs, self._ub / cs, self._rlo * rs, self._rup * rs, A

    def _new_highs(self, *, integer: bool) -> Any:
        """A HiGHS instance of the scaled model."""
        h = new_highs()
        cost, lb, ub, rlo, rup, A = self._scaled()
        lp = highs_lp(cost, lb, ub, rlo, rup, A, self._int if integer else None)
        h.setOptionValue("small_matrix_value", 1e-12)
        pass_model(h, lp, "HiGHS rejected the portfolio model")
        for option in ("primal_feasibility_tolerance", "dual_feasibility_tolerance", "mip_feasibility_tolerance"):
            h.setOptionValue(option, 1e-9)
        h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        h.setOptionValue("mip_abs_gap", 1e-9)
        return h

    @property
    def decomposition(self) -> Decomposition:
        """The same scaled model split into a master and one LP per second-stage block, built on first use."""
        if self._decomp is None:
            cost, lb, ub, rlo, rup, A = self._scaled()
            # one block per scenario (its TTR copy and its own gross-output block), one for localisation
            owner = np.zeros(A.shape[1], dtype=np.int64)
            for s, sc in enumerate(self.scenarios):
                owner[sc.col0 :] = s + 1
            self._decomp = Decomposition(
                cost,
                lb,
                ub,
                rlo,
                rup,
                A,
                self.n_options,
                self.scale,
                self._offset,
                owner=owner,
                scheduler=self.scheduler,
                workers=self.workers,
            )
        return self._decomp

    @property
    def n_options(self) -> int:
        """Number of options (first-stage columns ``y``)."""
        return len(self.options)

    def _run(
        self,
        budget: float,
        fixed: Sequence[int] | None,
        gap: float | None = None,
        time_limit: float | None = None,
        max_iterations: int | None = None,
    ) -> Evaluation:
        """Solve within ``budget`` [RUB] (the MIP), or with ``y`` fixed to the set ``fixed`` (the LP)."""
        if self.method == "benders":
            return self._run_benders(budget, fixed, gap, time_limit, max_iterations)
        h = self.highs if fixed is None else self.highs_lp
        k = self.n_options
        rs = float(self._rs[self._row_budget])
        change_row_bounds(h, [self._row_budget], [-np.inf], [float(budget) * rs if math.isfinite(budget) else np.inf])
        req = self.requirement
        if req is not None and req.rows:  # the MIP holds the requirement; a fixed set is evaluated without it
            lo = (
                [-np.inf] * len(req.rows)
                if fixed is not None
                else [v * float(self._rs[r]) for r, v in zip(req.rows, req.lo, strict=True)]
            )
            change_row_bounds(h, req.rows, lo, [np.inf] * len(req.rows))
        idx = np.arange(k, dtype=np.int32)
        if fixed is None:
            change_col_bounds(h, idx, np.zeros(k), np.ones(k))
            h.setOptionValue("mip_rel_gap", MIP_REL_GAP if gap is None else float(gap))
            h.setOptionValue("time_limit", math.inf if time_limit is None else float(time_limit))
        else:
            v = np.zeros(k)
            v[list(fixed)] = 1.0
            change_col_bounds(h, idx, v, v)
        t0 = time.perf_counter()
        status = run(h)
        if fixed is None and not _optimal(status) and h.getInfo().primal_solution_status == 2:
            pass  # a limit stopped branch and bound with an incumbent: report it with its gap
        else:
            raise_unless_optimal(
                h,
                status,
                infeasible=f"portfolio model infeasible (budget {budget:,.0f} RUB)"
                + (f": the projects cannot make every model meet {req.requirement.label} within it" if req else ""),
                unbounded=f"portfolio model unbounded (budget {budget:,.0f} RUB)",
                other="portfolio model not solved: HiGHS status {status}",
            )
        z = col_values(h) * self._cs
        chosen = tuple(int(i) for i in np.flatnonzero(z[:k] > 0.5))
        ev = self._evaluation(chosen, z)
        if fixed is None:
            info = h.getInfo()
            lower = self.scale * float(info.mip_dual_bound) + self._offset
            ev.report = SolveReport(
                "mip",
                "optimal" if _optimal(status) else h.modelStatusToString(status).lower(),
                min(lower, ev.objective),
                ev.objective,
                iterations=int(info.mip_node_count),
                seconds=time.perf_counter() - t0,
            )
        return ev

    def _run_benders(
        self,
        budget: float,
        fixed: Sequence[int] | None,
        gap: float | None,
        time_limit: float | None,
        max_iterations: int | None,
    ) -> Evaluation:
        """The decomposition: a fixed set's blocks, or the L-shaped loop within ``budget`` [RUB]."""
        dec = self.decomposition
        k = self.n_options
        if fixed is not None:
            y = np.zeros(k)
            y[list(fixed)] = 1.0
            point = dec.evaluate(y)
            if not point.feasible or point.z is None:
                raise InfeasibleError("portfolio model infeasible for this set of options")
            return self._evaluation(tuple(sorted(int(i) for i in fixed)), point.z * self._cs)
        rs = float(self._rs[self._row_budget])
        dec.set_master_row_upper(self._row_budget, float(budget) * rs if math.isfinite(budget) else np.inf)
        best, report = dec.solve(
            gap=DEFAULT_GAP if gap is None else float(gap),
            time_limit=math.inf if time_limit is None else float(time_limit),
            max_iterations=10_000 if max_iterations is None else int(max_iterations),
        )
        assert best.z is not None
        chosen = tuple(int(i) for i in np.flatnonzero(best.y > 0.5))
        ev = self._evaluation(chosen, best.z * self._cs)
        ev.report = report
        return ev

    def _evaluation(self, chosen: tuple[int, ...], z: FloatArray) -> Evaluation:
        """Objective and its parts [RUB, RUB/yr, %] read from the solution ``z`` (unscaled) of a set."""
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

    def close(self) -> None:
        """Release the Dask workers of the decomposition (if any); the model stays usable in process."""
        if self._decomp is not None:
            self._decomp.close()
            self._decomp = None

    def solve(
        self,
        budget: float,
        *,
        gap: float | None = None,
        time_limit: float | None = None,
        max_iterations: int | None = None,
    ) -> Evaluation:
        """The optimal set of options within ``budget`` [RUB] (by :attr:`method`).

        ``gap``: relative optimality gap to stop at (default ``MIP_REL_GAP`` for the MIP,
        ``DEFAULT_GAP`` for Benders); ``time_limit`` [s].  The result's ``report`` gives the
        lower and upper bound and the gap reached; ``max_iterations`` caps Benders iterations.
        """
        return self._run(budget, None, gap, time_limit, max_iterations)

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


def _optimal(status: Any) -> bool:
    import highspy

    return bool(status == highspy.HighsModelStatus.kOptimal)
