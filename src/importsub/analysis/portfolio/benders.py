"""The portfolio model by Benders decomposition (L-shaped, one cut per second-stage block per iteration).

The assembled portfolio model (:class:`~importsub.analysis.portfolio.model.PortfolioModel`, the same
scaled arrays the monolithic MIP is given) is split, not rebuilt:

* **first stage** — the option columns ``y`` (binary) and the rows that hold only ``y``
  (budget, one level per project): the *master* MIP, plus one column ``θ_s`` per block;
* **second stage** — the other columns fall into connected *blocks* (columns joined by a row);
  with separate gross-output copies per scenario (``PortfolioModel.build(method="benders")``)
  each scenario's TTR copy is one block, and the localisation block another.  Block ``s`` is the
  LP ``Q_s(y) = min c_s·z_s  s.t.  r_lo − C_s y ≤ M_s z_s ≤ r_up − C_s y,  l ≤ z_s ≤ u`` whose
  right-hand side is affine in ``y``.

``Q_s`` is convex and piecewise linear in ``y`` (LP value function of its right-hand side).  At a
first-stage point ``ŷ`` the row duals ``π_s`` of the solved block (HiGHS: ``∂Q/∂(active row
bound)``) give the subgradient ``g_s = −C_sᵀ π_s`` and the optimality cut
``θ_s ≥ Q_s(ŷ) + g_s·(y − ŷ)``, valid for every ``y`` (McCormick rows are exact at binary
``y`` and relax the product in between, so ``Q_s`` at a binary point is the true second stage).
A binary point whose block is infeasible is cut off by a no-good cut
``Σ_{i: ŷ_i=1} (1 − y_i) + Σ_{i: ŷ_i=0} y_i ≥ 1``.

Iteration: solve the master (HiGHS MIP) → lower bound ``LB`` = its dual bound; evaluate its
``ŷ`` (every block, warm from the block's last basis: only row bounds change) → upper bound
``UB`` = best ``c_y·ŷ + Σ_s Q_s(ŷ)`` seen; add the cuts that ``ŷ`` violates.  Stop when
``UB − LB ≤ gap · max(|UB|, 10⁻⁶·scale)`` (in the objective's unit), when the master proposes a
point already evaluated (then ``LB = UB``: certified optimum), or at an iteration or time limit
(then the gap is stated).  Every set evaluated (greedy, pruning, singles) adds its cuts too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from importsub.compile.network import FloatArray, IntArray
from importsub.model.errors import AnalysisError, InfeasibleError
from importsub.solvers.highs import (
    add_rows,
    change_row_bounds,
    highs_lp,
    new_highs,
    objective_value,
    pass_model,
    raise_unless_optimal,
    run,
    solution,
)

DEFAULT_GAP = 1e-6
"""Relative optimality gap at which the decomposition stops by default."""


@dataclass
class SolveReport:
    """How a portfolio solve ended; bounds in the objective's unit (RUB or RUB/yr, minimised)."""

    method: str
    status: str  # "optimal", "gap reached", "time limit", "iteration limit"
    lower_bound: float
    upper_bound: float
    iterations: int = 0
    cuts: int = 0
    seconds: float = 0.0
    second_stage_solves: int = 0

    @property
    def gap(self) -> float:
        """Relative optimality gap ``(UB − LB) / max(|UB|, tiny)`` [fraction]."""
        d = max(self.upper_bound - self.lower_bound, 0.0)
        return d / max(abs(self.upper_bound), 1e-12) if d > 0 else 0.0


@dataclass
class _Block:
    """One second-stage LP: its global columns and rows, coupling ``C`` (rows × options), its HiGHS."""

    cols: IntArray
    rows: IntArray
    rlo: FloatArray
    rup: FloatArray
    C: sp.csr_matrix
    coupled: IntArray  # local rows with a y entry
    h: Any
    last_y: FloatArray | None = None


@dataclass
class _Point:
    """A first-stage point evaluated: block values (scaled objective units), feasibility, columns."""

    y: FloatArray
    values: FloatArray
    feasible: bool
    z: FloatArray | None  # scaled column values of every column (y included) when feasible
    grads: FloatArray | None = None  # (blocks × options) subgradients g_s of Q_s at y


def split(A: sp.csc_matrix, k: int, owner: IntArray | None = None) -> tuple[IntArray, list[tuple[IntArray, IntArray]]]:
    """Master rows (only the first ``k`` columns) and the second-stage blocks ``(columns, rows)``.

    Columns ``k…`` joined by any row are one block (connected components of the bipartite
    row–column graph); with ``owner`` (a label per column, e.g. its scenario) the components of
    one owner are merged into one block.  Rows and columns are global indices.
    """
    Az = sp.csr_matrix(A[:, k:])
    has_z = np.diff(Az.indptr) > 0
    master_rows = np.flatnonzero(~has_z & (np.diff(sp.csr_matrix(A[:, :k]).indptr) > 0))
    sub_rows = np.flatnonzero(has_z)
    B = Az[sub_rows]
    B.data = np.ones_like(B.data)
    nr, nz = B.shape
    if nz == 0:
        return master_rows, []
    G = sp.bmat([[sp.csr_matrix((nr, nr)), B], [B.T, sp.csr_matrix((nz, nz))]], format="csr")
    n_comp, labels = connected_components(G, directed=False)
    row_lab, col_lab = labels[:nr], labels[nr:]
    order_c = np.argsort(col_lab, kind="stable")
    order_r = np.argsort(row_lab, kind="stable")
    cbounds = np.searchsorted(col_lab[order_c], np.arange(n_comp + 1))
    rbounds = np.searchsorted(row_lab[order_r], np.arange(n_comp + 1))
    blocks = []
    free: list[IntArray] = []  # columns in no row: one block of bounds only
    for c in range(n_comp):
        cols = k + order_c[cbounds[c] : cbounds[c + 1]]
        rows = sub_rows[order_r[rbounds[c] : rbounds[c + 1]]]
        if cols.size == 0:
            continue
        if rows.size == 0:
            free.append(cols)
        else:
            blocks.append((cols, rows))
    if free:
        blocks.append((np.sort(np.concatenate(free)), np.zeros(0, dtype=np.int64)))
    if owner is not None and blocks:
        merged: dict[int, list[tuple[IntArray, IntArray]]] = {}
        for cols, rows in blocks:
            merged.setdefault(int(owner[cols[0]]), []).append((cols, rows))
        blocks = [
            (np.sort(np.concatenate([c for c, _ in parts])), np.sort(np.concatenate([r for _, r in parts])))
            for _, parts in sorted(merged.items())
        ]
    return master_rows, blocks


@dataclass
class Decomposition:
    """Benders decomposition of one scaled portfolio model (see the module docstring).

    Parameters are the arrays the monolithic MIP is given: ``cost`` (scaled objective units per
    scaled column), column and row bounds, the scaled CSC matrix ``A``; the first ``k`` columns
    are the binary options.  ``scale`` and ``offset`` turn a scaled objective into the model's
    unit: ``objective = scale · (cost·z) + offset``.
    """

    cost: FloatArray
    lb: FloatArray
    ub: FloatArray
    rlo: FloatArray
    rup: FloatArray
    A: sp.csc_matrix
    k: int
    scale: float
    offset: float
    owner: IntArray | None = None  # a label per column (its scenario): one block per label
    scheduler: str | None = None  # Dask: the second-stage blocks live on workers (see _DaskBlocks)
    workers: int | None = None
    blocks: list[_Block] = field(default_factory=list)
    points: dict[tuple[int, ...], _Point] = field(default_factory=dict)
    second_stage_solves: int = 0
    _master: Any = None
    _master_rows: IntArray | None = None
    _cut_rows: int = 0
    _cut_key: set[tuple[int, int]] = field(default_factory=set)
    _pool: _DaskBlocks | None = None

    def __post_init__(self) -> None:
        master_rows, parts = split(self.A, self.k, self.owner)
        self._master_rows = master_rows
        Ar = self.A.tocsr()
        empty = np.flatnonzero(np.diff(Ar.indptr) == 0)
        if np.any((self.rlo[empty] > 1e-9) | (self.rup[empty] < -1e-9)):
            raise InfeasibleError("portfolio model infeasible: an empty row with bounds excluding 0")
        specs = []
        for cols, rows in parts:
            sub = Ar[rows]
            spec = _BlockSpec(
                cols,
                rows,
                self.cost[cols],
                self.lb[cols],
                self.ub[cols],
                self.rlo[rows],
                self.rup[rows],
                sub[:, cols].tocsc(),
                sp.csr_matrix(sub[:, : self.k]),
            )
            specs.append(spec)
        if self.scheduler is None and (self.workers is None or self.workers <= 1):
            self.blocks = [_make_block(spec, solver=True) for spec in specs]
        else:
            self.blocks = [_make_block(spec, solver=False) for spec in specs]
            self._pool = _DaskBlocks(specs, self.scheduler, self.workers)
        self._build_master()

    # ------------------------------------------------------------------ second stage

    @property
    def n_blocks(self) -> int:
        return len(self.blocks)

    def evaluate(self, y: FloatArray, deadline: float = math.inf) -> _Point:
        """Every block at the binary point ``y`` (warm re-solves), its cuts added to the master."""
        key = tuple(int(i) for i in np.flatnonzero(y > 0.5))
        hit = self.points.get(key)
        if hit is not None:
            return hit
        yb = np.zeros(self.k)
        yb[list(key)] = 1.0
        z = np.zeros(self.A.shape[1])
        z[: self.k] = yb
        values = np.zeros(self.n_blocks)
        feasible = True
        cuts: list[tuple[int, float, FloatArray]] = []
        if self._pool is not None:
            outs = self._pool.solve(yb)
        else:
            outs = []
            for b in self.blocks:
                if time.perf_counter() > deadline:  # a limit inside a point: the point is left unevaluated
                    raise _OutOfTime
                outs.append(_solve_block(b, yb))
        self.second_stage_solves += len(outs)
        for s, (blk, out) in enumerate(zip(self.blocks, outs, strict=True)):
            if out is None:
                feasible = False
                values[s] = math.inf
                break
            q, col_value, row_dual = out
            values[s] = q
            z[blk.cols] = col_value
            cuts.append((s, q, -(blk.C.T @ row_dual)))
        grads = np.vstack([g for _, _, g in cuts]) if feasible and cuts else None
        point = _Point(yb, values, feasible, z if feasible else None, grads)
        self.points[key] = point
        if feasible:
            self._add_optimality_cuts(yb, cuts)
        else:
            self._add_no_good(yb)
        return point

    def close(self) -> None:
        """Stop the Dask workers' share of the model (nothing to do in process)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def value(self, point: _Point) -> float:
        """Objective of an evaluated point in scaled units (``c_y·ŷ + Σ_s Q_s``; inf if infeasible)."""
        return float(self.cost[: self.k] @ point.y + point.values.sum()) if point.feasible else math.inf

    def unscaled(self, v: float) -> float:
        """A scaled objective in the model's unit."""
        return self.scale * v + self.offset

    # ------------------------------------------------------------------ master

    def _build_master(self) -> None:
        k, m = self.k, self.n_blocks
        rows = self._master_rows if self._master_rows is not None else np.zeros(0, dtype=np.int64)
        Ay = sp.csr_matrix(self.A[rows][:, :k])
        A = sp.hstack([Ay, sp.csr_matrix((rows.size, m))], format="csc")
        cost = np.concatenate([self.cost[:k], np.ones(m)])
        lb = np.concatenate([self.lb[:k], np.full(m, -np.inf)])
        ub = np.concatenate([self.ub[:k], np.full(m, np.inf)])
        integer = np.concatenate([np.ones(k, dtype=np.bool_), np.zeros(m, dtype=np.bool_)])
        h = new_highs()
        lp = highs_lp(cost, lb, ub, self.rlo[rows], self.rup[rows], A, integer)
        pass_model(h, lp, "HiGHS rejected the Benders master")
        for option in ("primal_feasibility_tolerance", "mip_feasibility_tolerance"):
            h.setOptionValue(option, 1e-9)
        h.setOptionValue("mip_rel_gap", 1e-9)
        h.setOptionValue("mip_abs_gap", 1e-12)
        self._master = h
        self._row_of = {int(r): i for i, r in enumerate(rows)}

    def set_master_row_upper(self, row: int, value: float) -> None:
        """Change the upper bound of a first-stage row (global index, scaled), e.g. the budget."""
        change_row_bounds(self._master, [self._row_of[int(row)]], [-np.inf], [value])

    def _add_optimality_cuts(self, y: FloatArray, cuts: list[tuple[int, float, FloatArray]]) -> None:
        """``θ_s − g_s·y ≥ Q_s(ŷ) − g_s·ŷ`` for every block (one cut per block and point)."""
        key = hash(tuple(np.flatnonzero(y > 0.5)))
        idx, starts, vals, lo = [], [], [], []
        n = 0
        for s, q, g in cuts:
            if (s, key) in self._cut_key:
                continue
            self._cut_key.add((s, key))
            nz = np.flatnonzero(np.abs(g) > 1e-13)
            starts.append(n)
            idx.append(np.concatenate([nz, [self.k + s]]))
            vals.append(np.concatenate([-g[nz], [1.0]]))
            lo.append(q - float(g @ y))
            n += nz.size + 1
        if starts:
            add_rows(self._master, np.array(lo), np.full(len(lo), np.inf), starts, idx, vals)
            self._cut_rows += len(starts)

    def _add_no_good(self, y: FloatArray) -> None:
        """Cut off the binary point ``ŷ``: ``Σ_{ŷ=0} y − Σ_{ŷ=1} y ≥ 1 − |ŷ|``."""
        on = y > 0.5
        coef = np.where(on, -1.0, 1.0)
        add_rows(self._master, np.array([1.0 - on.sum()]), np.array([np.inf]), [0], [np.arange(self.k)], [coef])
        self._cut_rows += 1

    def _solve_master(self, time_left: float) -> tuple[FloatArray, float, bool] | None:
        """The master's point, its dual bound (scaled units) and whether it is optimal; None if infeasible."""
        import highspy

        h = self._master
        h.setOptionValue("time_limit", max(time_left, 1.0) if math.isfinite(time_left) else math.inf)
        status = run(h)
        MS = highspy.HighsModelStatus
        if status == MS.kInfeasible:
            return None
        info = h.getInfo()
        if status != MS.kOptimal and info.primal_solution_status != 2:
            raise_unless_optimal(
                h,
                status,
                infeasible="Benders master infeasible",
                unbounded="Benders master unbounded",
                other="Benders master not solved: HiGHS status {status}",
            )
        z, _, _ = solution(h)
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = objective_value(h) if status == MS.kOptimal else -math.inf
        return np.round(z[: self.k]), bound, status == MS.kOptimal

    # ------------------------------------------------------------------ the loop

    def solve(
        self,
        *,
        gap: float = DEFAULT_GAP,
        time_limit: float = math.inf,
        max_iterations: int = 10_000,
        seeds: Sequence[FloatArray] = (),
    ) -> tuple[_Point, SolveReport]:
        """Iterate until the gap closes or a limit is hit; the best point and how it ended."""
        t0 = time.perf_counter()
        for y in [np.zeros(self.k), *seeds]:
            self.evaluate(y)
        best = self._incumbent()
        lb = -math.inf
        it = 0
        status = "iteration limit"
        while it < max_iterations:
            left = time_limit - (time.perf_counter() - t0)
            if left <= 0 and it > 0:  # the (small) master is always solved once: a finite lower bound
                status = "time limit"
                break
            it += 1
            out = self._solve_master(left)
            if out is None:  # every binary point within the budget cut off
                if best is None:
                    raise InfeasibleError(
                        "portfolio model infeasible: no first-stage point has a feasible second stage"
                    )
                lb = self.value(best)
                status = "optimal"
                break
            y, bound, master_optimal = out
            lb = max(lb, bound)
            key = tuple(int(i) for i in np.flatnonzero(y > 0.5))
            seen = master_optimal and key in self.points
            try:
                self.evaluate(y, deadline=t0 + time_limit)
            except _OutOfTime:
                status = "time limit"
                break
            best = self._incumbent()
            ub = self.value(best) if best is not None else math.inf
            if seen or ub - lb <= self._tolerance(gap, ub):
                status = "optimal" if seen or ub - lb <= self._tolerance(1e-9, ub) else "gap reached"
                lb = min(lb, ub) if seen else lb
                break
        if best is None:
            raise AnalysisError("the decomposition stopped before any feasible portfolio was found")
        ub = self.value(best)
        report = SolveReport(
            "benders",
            status,
            self.unscaled(min(lb, ub)),
            self.unscaled(ub),
            iterations=it,
            cuts=self._cut_rows,
            seconds=time.perf_counter() - t0,
            second_stage_solves=self.second_stage_solves,
        )
        return best, report

    def _tolerance(self, gap: float, ub: float) -> float:
        """Absolute gap (scaled units) of a relative ``gap`` at the upper bound ``ub``."""
        return gap * max(abs(self.unscaled(ub)), 1e-6 * self.scale) / self.scale

    def _incumbent(self) -> _Point | None:
        """The best feasible point evaluated so far, within the master's current first-stage rows."""
        h = self._master
        rows = self._master_rows if self._master_rows is not None else np.zeros(0, dtype=np.int64)
        Ay = sp.csr_matrix(self.A[rows][:, : self.k])
        lo, up = _master_bounds(h, rows.size)
        best, best_v = None, math.inf
        for p in self.points.values():
            if not p.feasible:
                continue
            act = Ay @ p.y
            if np.any(act > up + 1e-9 * np.maximum(1.0, np.abs(up))) or np.any(
                act < lo - 1e-9 * np.maximum(1.0, np.abs(lo))
            ):
                continue
            v = self.value(p)
            if v < best_v:
                best, best_v = p, v
        return best


class _OutOfTime(Exception):
    """The time limit passed while a first-stage point was being evaluated."""


@dataclass
class _BlockSpec:
    """A second-stage block as plain arrays (picklable: it travels to a Dask worker)."""

    cols: IntArray
    rows: IntArray
    cost: FloatArray
    lb: FloatArray
    ub: FloatArray
    rlo: FloatArray
    rup: FloatArray
    M: sp.csc_matrix
    C: sp.csr_matrix


def _make_block(spec: _BlockSpec, *, solver: bool) -> _Block:
    """The block with its HiGHS instance (``solver``), or only what the master needs of it."""
    h = None
    if solver:
        h = new_highs()
        lp = highs_lp(spec.cost, spec.lb, spec.ub, spec.rlo, spec.rup, spec.M)
        pass_model(h, lp, "HiGHS rejected a second-stage block of the portfolio model")
        for option in ("primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            h.setOptionValue(option, 1e-9)
        h.setOptionValue("solver", "simplex")
    coupled = np.flatnonzero(np.diff(spec.C.indptr) > 0).astype(np.int64)
    return _Block(spec.cols, spec.rows, spec.rlo, spec.rup, spec.C, coupled, h)


#: the blocks a Dask worker process holds, by token (each keeps its HiGHS instance and basis between iterations)
_WORKER_BLOCKS: dict[str, list[_Block]] = {}


def _worker_load(token: str, specs: list[_BlockSpec]) -> int:
    _WORKER_BLOCKS[token] = [_make_block(spec, solver=True) for spec in specs]
    return len(specs)


def _worker_solve(token: str, y: FloatArray) -> list[tuple[float, FloatArray, FloatArray] | None]:
    return [_solve_block(b, y) for b in _WORKER_BLOCKS[token]]


def _worker_drop(token: str) -> None:
    _WORKER_BLOCKS.pop(token, None)


class _DaskBlocks:
    """Second-stage blocks spread over Dask workers, each block pinned to one worker for its life, so
    that its HiGHS instance (and basis) is re-used warm at every iteration; one task per worker and point."""

    def __init__(self, specs: list[_BlockSpec], scheduler: str | None, workers: int | None) -> None:
        import contextlib
        import uuid

        from importsub.distributed import dask_client

        self._stack = contextlib.ExitStack()
        self.client = self._stack.enter_context(dask_client(scheduler, workers))
        addrs = sorted(self.client.scheduler_info()["workers"])
        if not addrs:
            raise AnalysisError("the Dask cluster has no workers")
        # largest blocks first, each to the least loaded worker
        load = dict.fromkeys(addrs, 0)
        groups: dict[str, list[int]] = {a: [] for a in addrs}
        for i in sorted(range(len(specs)), key=lambda i: -specs[i].M.nnz):
            a = min(addrs, key=lambda a: load[a])
            groups[a].append(i)
            load[a] += specs[i].M.nnz
        base = uuid.uuid4().hex
        self.groups = [(a, f"{base}-{n}", idx) for n, (a, idx) in enumerate(groups.items()) if idx]
        futures = [
            self.client.submit(_worker_load, tok, [specs[i] for i in idx], workers=[a], pure=False)
            for a, tok, idx in self.groups
        ]
        self.client.gather(futures)
        self.n = len(specs)

    def solve(self, y: FloatArray) -> list[tuple[float, FloatArray, FloatArray] | None]:
        futures = [
            self.client.submit(_worker_solve, tok, y, workers=[a], allow_other_workers=False, pure=False)
            for a, tok, _ in self.groups
        ]
        out: list[tuple[float, FloatArray, FloatArray] | None] = [None] * self.n
        for (_, _, idx), res in zip(self.groups, self.client.gather(futures), strict=True):
            for i, r in zip(idx, res, strict=True):
                out[i] = r
        return out

    def close(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):
            self.client.gather(
                [self.client.submit(_worker_drop, tok, workers=[a], pure=False) for a, tok, _ in self.groups]
            )
        self._stack.close()


def _master_bounds(h: Any, n: int) -> tuple[FloatArray, FloatArray]:
    """Current bounds of the master's first ``n`` rows."""
    lp = h.getLp()
    return np.asarray(lp.row_lower_[:n], dtype=np.float64), np.asarray(lp.row_upper_[:n], dtype=np.float64)


def _solve_block(blk: _Block, y: FloatArray) -> tuple[float, FloatArray, FloatArray] | None:
    """Re-solve one block at ``y`` (only coupled row bounds change); None if infeasible."""
    import highspy

    shift = np.asarray(blk.C @ y).ravel()
    if blk.last_y is None or np.any(blk.last_y != y):
        r = blk.coupled
        change_row_bounds(blk.h, r, blk.rlo[r] - shift[r], blk.rup[r] - shift[r])
        blk.last_y = y.copy()
    status = run(blk.h)
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    raise_unless_optimal(
        blk.h,
        status,
        infeasible="second-stage block infeasible",
        unbounded="second-stage block unbounded: a demand or capacity is infinite?",
        other="second-stage block not solved: HiGHS status {status}",
    )
    z, row_dual, _ = solution(blk.h)
    return objective_value(blk.h), z, row_dual
