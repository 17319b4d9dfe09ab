"""Pages: scenarios of a dataset — list, create, edit, copy, run, and compare two scenarios or two runs.

Writes go through :mod:`importsub.web.services.scenarios` and
:func:`importsub.web.services.editing.apply_changes` like the scenario API,
so ownership is checked in the one place: scenarios are the programme's
records, and a refused write re-renders the form (403) saying why.  Runs
post to ``/analyses/run`` (kind ``shock``); a demand-only or project-only
scenario runs over the window given on the form, else the default
(:data:`importsub.analysis.disruption.DEFAULT_WINDOW_WEEKS`, stated in the result's ``window basis``).
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError, Problem, ValidationError
from importsub.store import accounts
from importsub.web.deps import CsrfChecked, DatasetPageDep, PageContext, PageDep, WriterUser
from importsub.web.i18n import gettext as _
from importsub.web.services import scenarios as service
from importsub.web.services.editing import PermissionProblem, apply_changes
from importsub.web.services.results import recent_jobs

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])

BLANK_ROWS = 3
"""Empty rows the form offers for new disruptions and demand changes."""
MAX_ROWS = 500
DISRUPTION_FIELDS = ("target_kind", "target", "severity", "duration", "recovery")
DEMAND_FIELDS = ("site", "part", "factor")
RUN_KINDS = ("shock",)
REFUSED = "Scenarios belong to the programme: only programme users or an administrator may create, change or copy them."


def _listing(ds: Dataset) -> list[dict[str, Any]]:
    def counts(t: str) -> dict[str, int]:
        return dict(ds.tables[t].group_by("scenario").len().iter_rows())

    dis, dem, proj = counts("disruptions"), counts("demand_changes"), counts("scenario_projects")
    return [
        {
            **r,
            "disruptions": dis.get(r["name"], 0),
            "demand_changes": dem.get(r["name"], 0),
            "projects": proj.get(r["name"], 0),
        }
        for r in ds.scenarios.sort("name").iter_rows(named=True)
    ]


def _runs(page: PageContext, name: str) -> list[accounts.Job]:
    return [j for j in recent_jobs(page.conn, name, RUN_KINDS, visible_to=page.user) if j.status == "done"]


@router.get("/scenarios")
def scenarios_page(page: DatasetPageDep) -> Response:
    """Every scenario of the dataset, with copy and compare forms and the runs to compare."""
    name = page.dataset
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": page.all_datasets, "scenarios": [], "runs": []}
    if name is not None:
        ctx["scenarios"] = _listing(page.visible(name))
        ctx["runs"] = _runs(page, name)
        ctx["info"] = page.datasets.resolve(name)
    return page.render("scenarios.html", ctx)


def _form_context(page: PageContext, name: str, record: dict[str, Any], **extra: Any) -> dict[str, Any]:
    ds = page.visible(name)
    return {
        "dataset": name,
        "all_datasets": page.all_datasets,
        "record": record,
        "blank": BLANK_ROWS,
        "projects_all": ds.projects.select("id", "name").sort("id").to_dicts(),
        "sites_all": ds.sites["id"].sort().to_list(),
        "parts_all": ds.parts["id"].sort().to_list(),
        "problems": [],
        "error": None,
        "refused": REFUSED if not _for_programme(page) else None,
        **extra,
    }


def _for_programme(page: PageContext) -> bool:
    return page.user.role in ("admin", "programme")


@router.get("/scenarios/edit")
def edit_page(
    page: DatasetPageDep, scenario: Annotated[str | None, Query(alias="name", max_length=200)] = None
) -> Response:
    """The form of a new scenario (no ``name``) or of a stored one."""
    name = page.dataset
    if name is None:
        raise NotFoundError(_("There is no dataset yet."))
    record: dict[str, Any] = {"name": "", "description": "", "year": None, "weight": 1.0}
    record |= {"disruptions": [], "demand_changes": [], "projects": [], "new": True}
    if scenario:
        found = service.scenario_record(page.visible(name), scenario)
        if found is None:
            raise NotFoundError(_("No scenario %(s)s in dataset %(d)s.", s=scenario, d=name))
        record = {**found, "new": False}
    return page.render("scenario_edit.html", _form_context(page, name, record))


def _rows(form: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Non-empty rows ``prefix-<i>-<field>`` of the form, in order (a row with every field empty is skipped)."""
    out = []
    for i in range(MAX_ROWS):
        values = {f: str(form.get(f"{prefix}-{i}-{f}", "")).strip() for f in fields}
        if f"{prefix}-{i}-{fields[0]}" not in form:
            break
        if form.get(f"{prefix}-{i}-delete") or not any(values.values()):
            continue
        out.append({f: (v or None) for f, v in values.items()})
    return out


@router.post("/scenarios/save")
async def save_scenario(page: PageDep, writer: WriterUser) -> Response:
    """Create or replace a scenario from the form (a new version of the dataset)."""
    form = await page.request.form()
    name = str(form.get("dataset", ""))
    info = page.datasets.resolve(name)
    scenario = str(form.get("name", "")).strip()[:200]
    new = bool(form.get("new"))
    record: dict[str, Any] = {
        "name": scenario,
        "description": str(form.get("description", "")).strip()[:10_000] or None,
        "year": str(form.get("year", "")).strip() or None,
        "weight": str(form.get("weight", "")).strip() or "1",
        "disruptions": _rows(form, "d", DISRUPTION_FIELDS),
        "demand_changes": _rows(form, "c", DEMAND_FIELDS),
        "projects": sorted({str(p) for p in form.getlist("projects") if str(p).strip()}),
        "new": new,
    }

    def again(code: int, error: str, problems: list[Problem] | None = None) -> Response:
        return page.render(
            "scenario_edit.html", _form_context(page, name, record, error=error, problems=problems or []), code
        )

    if not scenario:
        return again(422, _("Give the scenario a name."))
    current = page.datasets.full(name, info.version)
    if new and current.scenarios.filter(pl.col("name") == scenario).height:
        return again(409, _("A scenario %(s)s exists already.", s=scenario))
    try:
        upserts, deletes = service.write_changes(
            current,
            scenario,
            description=record["description"],
            year=record["year"],
            weight=record["weight"],
            disruptions=record["disruptions"],
            demand_changes=record["demand_changes"],
            projects=record["projects"],
        )
        result = await run_in_threadpool(
            apply_changes,
            page.store,
            current,
            name=name,
            user=writer,
            upserts=upserts,
            deletes=deletes,
            note=f"scenario {scenario}",
        )
    except PermissionProblem as exc:
        return again(403, _(REFUSED), exc.problems)
    except ValidationError as exc:
        return again(422, _("%(n)s problem(s) in the input; nothing was written.", n=exc.total), list(exc.problems))
    with page.store.writing() as conn:
        accounts.audit(conn, action="scenario written", user=writer, target=f"{name}: {scenario}", ip=page.ip)
    return RedirectResponse(f"/scenarios?dataset={name}&saved={result.version}", status_code=303)


@router.post("/scenarios/copy")
async def copy_scenario(page: PageDep, writer: WriterUser) -> Response:
    """Copy a scenario under a new name (a new version of the dataset)."""
    form = await page.request.form()
    name = str(form.get("dataset", ""))
    scenario, to = str(form.get("name", "")).strip(), str(form.get("to", "")).strip()[:200]
    info = page.datasets.resolve(name)
    current = page.datasets.full(name, info.version)

    def again(code: int, error: str) -> Response:
        ctx: dict[str, Any] = {
            "dataset": name,
            "all_datasets": page.store.datasets(),
            "scenarios": _listing(page.visible(name)),
        }
        ctx |= {"runs": _runs(page, name), "info": info, "error": error}
        return page.render("scenarios.html", ctx, code)

    if not to:
        return again(422, _("Give the copy a name."))
    try:
        upserts = service.copy_changes(current, scenario, to)
        result = await run_in_threadpool(
            apply_changes,
            page.store,
            current,
            name=name,
            user=writer,
            upserts=upserts,
            note=f"copy scenario {scenario} to {to}",
        )
    except service.ScenarioExists as exc:
        return again(409, str(exc))
    except PermissionProblem:
        return again(403, _(REFUSED))
    except ValidationError as exc:
        return again(422, _("%(n)s problem(s) in the input; nothing was written.", n=exc.total))
    with page.store.writing() as conn:
        accounts.audit(conn, action="scenario copied", user=writer, target=f"{name}: {scenario} -> {to}", ip=page.ip)
    return RedirectResponse(f"/scenarios/edit?dataset={name}&name={to}&saved={result.version}", status_code=303)


@router.get("/scenarios/compare")
def compare_page(
    page: DatasetPageDep,
    a: Annotated[str, Query(min_length=1, max_length=200)],
    b: Annotated[str, Query(min_length=1, max_length=200)],
) -> Response:
    """Two scenarios' definitions side by side; differing rows marked."""
    name = page.dataset
    if name is None:
        raise NotFoundError(_("There is no dataset yet."))
    comparison = service.compare_scenarios(page.visible(name), a, b)
    return page.render("scenario_compare.html", {"dataset": name, "all_datasets": page.all_datasets, "c": comparison})


@router.get("/scenarios/runs")
def compare_runs_page(
    page: PageDep,
    a: Annotated[int, Query(ge=1, le=2**31 - 1)],
    b: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> Response:
    """Two finished shock runs side by side: summary and per-OEM and per-vehicle figures, with b − a."""
    jobs = []
    for job_id in (a, b):
        job = page.job(job_id)
        if job is None or job.status != "done" or job.kind not in RUN_KINDS:
            raise NotFoundError(_("No finished shock run %(j)s.", j=job_id))
        jobs.append(job)
    results = [page.result(j) for j in jobs]
    comparison = service.compare_runs(results[0][2], results[1][2])
    return page.render(
        "run_compare.html",
        {
            "dataset": jobs[0].dataset,
            "all_datasets": [],
            "jobs": jobs,
            "fingerprints": [r[1] for r in results],
            "c": comparison,
        },
    )
