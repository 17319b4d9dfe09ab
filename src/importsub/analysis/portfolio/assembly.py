"""Sparse assembly of the portfolio MIP (COO triplets into one CSC matrix) and its scaling."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from importsub.compile.network import FloatArray, IntArray


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
        """Add ``n`` rows with bounds ``lo ≤ a·z ≤ up``; return the first one's index."""
        start = self.nrow
        self.rlo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy())
        self.rup.append(np.broadcast_to(np.asarray(up, dtype=np.float64), (n,)).copy())
        self.nrow += n
        return start

    def coeffs(self, rows: Any, cols: Any, vals: Any) -> None:
        """Add coefficients ``vals`` at (``rows``, ``cols``) (duplicates are summed)."""
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
        """The model as arrays: ``A`` (CSC), column bounds, costs, row bounds, integrality, column scales."""
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

    def set_row_upper(self, row: int, value: float) -> None:
        """Change the upper bound of an added row."""
        start = 0
        for arr in self.rup:
            if row < start + arr.size:
                arr[row - start] = value
                return
            start += arr.size
        raise IndexError(row)

    def set_col_upper(self, cols: IntArray, values: FloatArray) -> None:
        """Change the upper bounds of added columns."""
        starts = np.cumsum([0] + [a.size for a in self.ub])
        for c, v in zip(np.asarray(cols).ravel(), np.asarray(values).ravel(), strict=True):
            k = int(np.searchsorted(starts, c, side="right") - 1)
            self.ub[k][c - starts[k]] = v


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
