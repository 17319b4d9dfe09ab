"""HiGHS glue: a silent instance, a model from arrays, one run, one reading of its status.

Every optimisation model of importsub (the TTR linear programme, the
portfolio MIP) is a problem in the standard HiGHS form

    minimise  cost · z   subject to   row_lower ≤ A z ≤ row_upper,
                                      col_lower ≤ z ≤ col_upper,
                                      z_i integer where ``integrality`` says so,

given as numpy arrays and a scipy sparse matrix, with ``±inf`` for a missing
bound.  This module turns such arrays into a ``highspy.HighsLp``
(:func:`highs_lp`), passes it to a silent ``highspy.Highs``
(:func:`new_highs`, :func:`pass_model`), runs it (:func:`run`) and maps the
model status to an exception (:func:`raise_unless_optimal`): infeasible and
unbounded are :class:`~importsub.model.errors.InfeasibleError` and
:class:`~importsub.model.errors.UnboundedError`, never a silent 0.

Nothing here knows what the columns mean; units are the caller's.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from importsub.model.errors import AnalysisError, InfeasibleError, UnboundedError

FloatArray = npt.NDArray[np.float64]

_BANNER_SHOWN = False


def new_highs() -> Any:
    """A silent ``highspy.Highs`` (its one-time banner never reaches stdout).

    Examples
    --------
    >>> h = new_highs()
    >>> h.getNumCol()
    0
    """
    global _BANNER_SHOWN
    import highspy

    if not _BANNER_SHOWN:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_SHOWN = True
    else:
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def highs_inf(values: Any) -> FloatArray:
    """``values`` as float64 with ``±inf`` (and anything beyond) mapped to ``±kHighsInf``."""
    import highspy

    inf = highspy.kHighsInf
    v = np.asarray(values, dtype=np.float64)
    return np.where(v >= inf, inf, np.where(v <= -inf, -inf, v))


def highs_lp(
    cost: Any,
    col_lower: Any,
    col_upper: Any,
    row_lower: Any,
    row_upper: Any,
    A: sp.spmatrix | sp.sparray,
    integrality: Any = None,
) -> Any:
    """A ``highspy.HighsLp`` of ``min cost·z, row_lower ≤ A z ≤ row_upper, col_lower ≤ z ≤ col_upper``.

    Parameters
    ----------
    cost, col_lower, col_upper : array-like (n_cols,)
        Objective coefficients and column bounds (``±inf`` for none), in the caller's units.
    row_lower, row_upper : array-like (n_rows,)
        Row bounds (``±inf`` for none).
    A : scipy.sparse matrix (n_rows × n_cols)
        Constraint matrix; passed column-wise (CSC, sorted indices).
    integrality : array-like of bool (n_cols,), optional
        True for an integer column; None (default) for a pure LP.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> lp = highs_lp([1.0], [0.0], [np.inf], [1.0], [np.inf], sp.csc_matrix(np.ones((1, 1))))
    >>> lp.num_col_, lp.num_row_
    (1, 1)
    """
    import highspy

    csc = sp.csc_matrix(A)
    csc.sort_indices()
    n_rows, n_cols = csc.shape
    lp = highspy.HighsLp()
    lp.num_col_ = int(n_cols)
    lp.num_row_ = int(n_rows)
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = highs_inf(col_lower)
    lp.col_upper_ = highs_inf(col_upper)
    lp.row_lower_ = highs_inf(row_lower)
    lp.row_upper_ = highs_inf(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    if integrality is not None:
        V = highspy.HighsVarType
        lp.integrality_ = [V.kInteger if i else V.kContinuous for i in np.asarray(integrality, dtype=np.bool_)]
    return lp


def pass_model(h: Any, lp: Any, rejected: str) -> None:
    """Give ``lp`` to the instance ``h``; raise ``AnalysisError(rejected)`` if HiGHS refuses it."""
    import highspy

    if h.passModel(lp) == highspy.HighsStatus.kError:
        raise AnalysisError(rejected)


def change_col_bounds(h: Any, cols: Any, lower: Any, upper: Any) -> None:
    """Set the bounds of columns ``cols`` (``±inf`` for none)."""
    idx = np.asarray(cols, dtype=np.int32).ravel()
    if idx.size:
        h.changeColsBounds(int(idx.size), idx, highs_inf(lower).ravel(), highs_inf(upper).ravel())


def change_row_bounds(h: Any, rows: Any, lower: Any, upper: Any) -> None:
    """Set the bounds of rows ``rows`` (``±inf`` for none)."""
    idx = np.asarray(rows, dtype=np.int32).ravel()
    if idx.size:
        h.changeRowsBounds(int(idx.size), idx, highs_inf(lower).ravel(), highs_inf(upper).ravel())


def run(h: Any) -> Any:
    """Run HiGHS; return the model status.

    "Unbounded or infeasible" (a presolve verdict) is resolved by one more run
    without presolve, so that the status says which of the two it is.
    """
    import highspy

    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")
        h.run()
        h.setOptionValue("presolve", "choose")
        status = h.getModelStatus()
    return status


def raise_unless_optimal(h: Any, status: Any, *, infeasible: str, unbounded: str, other: str) -> None:
    """Map a model status to the project's errors; return quietly only if optimal.

    Parameters
    ----------
    h : highspy.Highs
        The instance that produced ``status`` (names it).
    status : highspy.HighsModelStatus
    infeasible, unbounded : str
        Messages of :class:`InfeasibleError` / :class:`UnboundedError`.
    other : str
        Message of the :class:`AnalysisError` for any other status; ``{status}``
        is replaced by HiGHS's name of it.
    """
    import highspy

    MS = highspy.HighsModelStatus
    if status == MS.kOptimal:
        return
    if status == MS.kInfeasible:
        raise InfeasibleError(infeasible)
    if status in (MS.kUnbounded, MS.kUnboundedOrInfeasible):
        raise UnboundedError(unbounded)
    raise AnalysisError(other.format(status=h.modelStatusToString(status)))


def objective_value(h: Any) -> float:
    """Objective of the last run, in the units of the costs HiGHS was given."""
    return float(h.getInfo().objective_function_value)


def solution(h: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Column values, row duals and column duals (reduced costs) of the last run, as float64 arrays."""
    sol = h.getSolution()
    return (
        np.asarray(sol.col_value, dtype=np.float64),
        np.asarray(sol.row_dual, dtype=np.float64),
        np.asarray(sol.col_dual, dtype=np.float64),
    )


def col_values(h: Any) -> FloatArray:
    """Column values of the last run as a float64 array."""
    return np.asarray(h.getSolution().col_value, dtype=np.float64)


def basis_arrays(h: Any, n_cols: int, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The current basis as (column status, row status) int8 arrays (picklable)."""
    b = h.getBasis()
    cols, rows = np.array(b.col_status, dtype=np.int8), np.array(b.row_status, dtype=np.int8)
    if cols.shape != (n_cols,) or rows.shape != (n_rows,):
        raise AnalysisError(f"HiGHS basis of {cols.size} × {rows.size}, expected {n_cols} columns × {n_rows} rows")
    return cols, rows


def highs_basis(col_status: Any, row_status: Any, *, alien: bool = True) -> Any:
    """A valid ``highspy.HighsBasis`` from status arrays as returned by :func:`basis_arrays`.

    ``alien`` (HiGHS's default): HiGHS checks the basis and completes it where it is not square (one
    factorisation more); False for a basis HiGHS returned for the same model (see :func:`set_basis`).
    """
    import highspy

    by_value = {int(s): s for s in highspy.HighsBasisStatus.__members__.values()}
    hb = highspy.HighsBasis()
    hb.col_status = [by_value[int(v)] for v in col_status]
    hb.row_status = [by_value[int(v)] for v in row_status]
    hb.valid = True
    hb.alien = alien
    return hb


def set_basis(h: Any, hb: Any) -> None:
    """Start ``h``'s next solve from ``hb``; a non-alien basis HiGHS refuses (not square for this model)
    is passed again as alien, for HiGHS to complete."""
    import highspy

    if h.setBasis(hb) == highspy.HighsStatus.kError and not hb.alien:
        hb.alien = True
        if h.setBasis(hb) == highspy.HighsStatus.kError:
            raise AnalysisError("HiGHS refused the warm-start basis")


def add_rows(h: Any, lower: Any, upper: Any, starts: Any, indices: Any, values: Any) -> None:
    """Append rows ``lower ≤ a·z ≤ upper`` to ``h``; row ``r`` has ``indices[r]`` / ``values[r]``
    (sequences of arrays, ``starts`` their offsets in the concatenation)."""
    idx = np.concatenate([np.asarray(i, dtype=np.int32).ravel() for i in indices]) if len(indices) else np.zeros(0)
    val = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values]) if len(values) else np.zeros(0)
    lo = highs_inf(lower).ravel()
    h.addRows(
        int(lo.size),
        lo,
        highs_inf(upper).ravel(),
        int(idx.size),
        np.asarray(starts, dtype=np.int32),
        idx.astype(np.int32),
        val,
    )
