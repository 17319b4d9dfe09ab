"""Solving the portfolio model: the optimum for a budget, the greedy comparison, the budget frontier,
and the long-way evaluation of a set (for tests)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.portfolio.model import Evaluation, PortfolioModel
from importsub.analysis.portfolio.requirement import empty_requirement, exact_scores
from importsub.analysis.portfolio.tables import (
    _chosen_table,
    _differences,
    _notes,
    _options_table,
    _solve_table,
    _summary_table,
    _tol,
    _unit,
)
from importsub.analysis.projects import compile_with_projects, figures
from importsub.analysis.result import Result
from importsub.model.errors import AnalysisError, InfeasibleError


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


def optimise(
    model: PortfolioModel, budget: float, *, gap: float | None = None, time_limit: float | None = None
) -> Result:
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
    solve : method (mip or benders), how it ended, best bound and incumbent, optimality gap [%].

    ``gap`` (relative) and ``time_limit`` [s] stop the solve early; the gap reached is reported.
    """
    best = model.solve(budget, gap=gap, time_limit=time_limit)
    chosen = _prune(model, best)
    chosen.report = best.report
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
    # without --require the table is empty (its columns still declared and shown)
    tables["requirement"] = (
        exact_scores(
            model.requirement, model.dataset, model._base_net, model.options, chosen.chosen, model.year, model.group
        )
        if model.requirement is not None and model._base_net is not None
        else empty_requirement()
    )
    if best.report is not None:
        tables["solve"] = _solve_table(model, best.report)
    tables["notes"] = _notes(model, none, chosen, g)
    fp = dict(model.fingerprint)
    fp["budget [RUB]"] = float(budget)
    return Result("portfolio", tables, fp)


def _prune(model: PortfolioModel, ev: Evaluation) -> Evaluation:
    """Among ties, the cheaper choice: drop funded options that contribute nothing, and fund a
    lower capacity level of a project where it gives the same objective."""
    chosen = list(ev.chosen)
    for i in sorted(chosen, key=lambda i: -model.options[i].capex):
        rest = [j for j in chosen if j != i]
        if model.requirement is not None and not model.requirement.holds(set(rest)):
            continue  # needed for the statutory requirement
        if model.evaluate(rest).objective <= ev.objective + _tol(model):
            chosen = rest
    for i in list(chosen):
        o = model.options[i]
        cheaper = sorted(
            (p for p in model.options if p.project == o.project and p.capex < o.capex), key=lambda p: p.capex
        )
        for p in cheaper:
            trial = [p.index if j == i else j for j in chosen]
            if model.requirement is not None and not model.requirement.holds(set(trial)):
                continue
            if model.evaluate(trial).objective <= ev.objective + _tol(model):
                chosen = trial
                break
    return model.evaluate(chosen) if sorted(chosen) != sorted(ev.chosen) else ev


def sweep_budgets(model: PortfolioModel, budget: float, steps: int = 11) -> list[float]:
    """``steps`` evenly spaced budgets from 0 to ``budget`` [RUB]."""
    if steps < 2:
        raise AnalysisError("a sweep needs at least 2 budget points")
    pts = set(np.linspace(0.0, float(budget), steps).tolist())
    return sorted(pts)


def frontier(
    model: PortfolioModel,
    budgets: Sequence[float],
    on_point: Callable[[], None] | None = None,
    *,
    gap: float | None = None,
    time_limit: float | None = None,
) -> Result:
    """Budget sweep: the Pareto frontier (budget → best objective) with the chosen set at each point,
    and the greedy choice at the same budget."""
    rows = []
    for B in budgets:
        try:
            ev = _prune(model, model.solve(B, gap=gap, time_limit=time_limit))
        except InfeasibleError:
            if model.requirement is None:
                raise
            continue  # the budget cannot buy the statutory requirement: no point on the frontier

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
    top = optimise(model, max(budgets), gap=gap, time_limit=time_limit) if budgets else None
    tables = {"frontier": pl.DataFrame(rows)}
    if top is not None:
        tables.update(top.tables)
    return Result("portfolio", tables, fp)


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
