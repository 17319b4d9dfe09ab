"""The result tables of a portfolio solve: chosen projects, options, summary, differences, notes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import polars as pl

from importsub.analysis.portfolio.benders import SolveReport
from importsub.analysis.portfolio.model import Evaluation, PortfolioModel
from importsub.model.messages import args_json, render_why, why


def _tol(model: PortfolioModel) -> float:
    """Objective difference below which two sets count as equal (in the objective's unit)."""
    return 1e-7 * model.scale


def _unit(model: PortfolioModel) -> str:
    """Name and unit of the objective, for column headers."""
    return {
        "loss": "expected loss [RUB]",
        "localisation": "domestic value added [RUB/yr]",
        "mix": "expected loss − λ·DVA [RUB]",
    }[model.objective]


def _notes(model: PortfolioModel, none: Evaluation, mip: Evaluation, g: Evaluation) -> pl.DataFrame:
    """Plain sentences a reader needs beside the numbers: ``note`` in English, ``note id`` and ``note args``
    (the message and its parameters, :mod:`importsub.model.messages`) for other languages."""
    notes: list[dict[str, Any]] = []
    if not mip.chosen:
        notes.append(why("no project improves"))
    if (
        model.scenarios
        and none.expected_loss is not None
        and mip.expected_loss is not None
        and abs(none.expected_loss - mip.expected_loss) <= _tol(model)
    ):
        notes.append(why("loss unchanged"))
    for s in model.scenarios:
        if s.t_weeks <= 0:
            notes.append(why("scenario without window", scenario=s.name))
    if model.shared:
        notes.append(why("shared links", links=[" | ".join(k) for k in model.shared]))
    if set(mip.chosen) != set(g.chosen):
        gap = g.objective - mip.objective
        notes.append(
            why("greedy worse", gap=float(gap), unit=why("objective " + model.objective))
            if gap > _tol(model)
            else why("greedy same")
        )
    r = mip.report
    if r is not None and r.status not in ("optimal",):
        notes.append(why("solve stopped", method=r.method, status=r.status, gap=100 * float(r.gap)))
    if r is not None and r.method == "benders":
        notes.append(
            why("solved by Benders", iterations=int(r.iterations), cuts=int(r.cuts), solves=int(r.second_stage_solves))
        )
    notes.append(why("capex of a level"))
    return pl.DataFrame(
        {
            "note": [render_why(m["id"], m["args"], "en") for m in notes],
            "note id": [m["id"] for m in notes],
            "note args": [args_json(m["args"]) for m in notes],
        },
        schema={"note": pl.String, "note id": pl.String, "note args": pl.String},
    )


def _chosen_table(model: PortfolioModel, ev: Evaluation, none: Evaluation) -> pl.DataFrame:
    """Per funded project: level, capex, marginal and standalone benefit, loss avoided, why."""
    rows = []
    for i in ev.chosen:
        o = model.options[i]
        without = model.evaluate([j for j in ev.chosen if j != i])
        alone = model.evaluate([i])
        marginal = without.objective - ev.objective
        sites = ", ".join(sorted({s for s, _ in o.capacity}))
        clauses = [why("project capacity", capacity=float(sum(o.capacity.values())), sites=sites)]
        if ev.import_content is not None and without.import_content is not None:
            clauses.append(why("import content down", pp=float(without.import_content - ev.import_content)))
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
            clauses.append(
                why(
                    "loss avoided",
                    scenarios=[why("scenario loss avoided", scenario=k, loss=v) for k, v in top if v > 0],
                )
                if any(v > 0 for _, v in top)
                else why("no loss avoided")
            )
            row["expected loss avoided [RUB]"] = (without.expected_loss or 0.0) - (ev.expected_loss or 0.0)
        if ev.domestic_value is not None and without.domestic_value is not None:
            row["domestic value added gained [RUB/yr]"] = ev.domestic_value - without.domestic_value
        message = why("project why", clauses=clauses)
        row["why"] = render_why(message["id"], message["args"], "en")
        row["why id"], row["why args"] = message["id"], args_json(message["args"])
        rows.append(row)
    if not rows:
        return pl.DataFrame(
            {"project": [], "why": [], "why id": [], "why args": []},
            schema={"project": pl.String, "why": pl.String, "why id": pl.String, "why args": pl.String},
        )
    return pl.DataFrame(rows)


def _options_table(
    model: PortfolioModel, ranking: list[dict[str, Any]], mip: Sequence[int], greedy_set: Sequence[int]
) -> pl.DataFrame:
    """Every option: capex, standalone benefit, benefit per RUB, greedy rank, chosen by MIP / greedy."""
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
    """Objective, capex, expected loss and import content of each named choice."""
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
    """Options funded by only one of MIP / greedy, and how much worse greedy is."""
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


def _solve_table(model: PortfolioModel, r: SolveReport) -> pl.DataFrame:
    """How the solve ended: method, status, best bound and incumbent (in the objective's unit), gap [%]."""
    sign = -1.0 if model.objective == "localisation" else 1.0  # localisation is shown as DVA, maximised
    return pl.DataFrame(
        {
            "solve method": [r.method],
            "solve status": [r.status],
            f"best bound: {_unit(model)}": [sign * r.lower_bound],
            f"incumbent: {_unit(model)}": [sign * r.upper_bound],
            "optimality gap [%]": [100.0 * r.gap],
            "iterations": [r.iterations],
            "cuts": [r.cuts],
            "second-stage LP solves": [r.second_stage_solves],
        }
    )
