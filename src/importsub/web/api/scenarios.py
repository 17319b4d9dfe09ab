# mypy: disable-error-code="valid-type,attr-defined"
"""Scenarios of a dataset: disruptions, demand changes and active projects, read and edited as one object.

A scenario is stored as records (``scenarios``, ``disruptions``,
``demand_changes``, ``scenario_projects``); writing one makes a new version
of the dataset.
"""

# no "from __future__ import annotations": FastAPI reads the generated models from the signatures
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError, ValidationError
from importsub.model.records import field_definition as _field_type
from importsub.model.schema import table as record_type
from importsub.store import accounts
from importsub.web.api.schemas import WriteOut, problems_response
from importsub.web.conditional import Cacheable
from importsub.web.deps import (
    CsrfChecked,
    CurrentUser,
    DatasetsDep,
    SessionDep,
    StoreDep,
    ViewerDep,
    WriterUser,
    client_ip,
    quota,
)
from importsub.web.i18n import gettext as _
from importsub.web.services.editing import PermissionProblem, Quota, apply_changes
from importsub.web.services.scenarios import ScenarioExists, copy_changes, scenario_keys, write_changes

router = APIRouter(prefix="/datasets/{name}/scenarios", tags=["scenarios"], dependencies=[CsrfChecked])

ScenarioName = Annotated[str, Path(min_length=1, max_length=200)]


def _part_model(table_name: str, *, for_output: bool) -> type[BaseModel]:
    rt = record_type(table_name)
    fields = {f.name: _field_type(f, for_output=for_output) for f in rt.fields if f.name != "scenario"}
    suffix = "Out" if for_output else "In"
    config = ConfigDict() if for_output else ConfigDict(extra="forbid")
    return create_model(f"Scenario{rt.record}{suffix}", __config__=config, **fields)  # type: ignore[call-overload, no-any-return]


DisruptionIn, DisruptionOut = _part_model("disruptions", for_output=False), _part_model("disruptions", for_output=True)
DemandChangeIn, DemandChangeOut = (
    _part_model("demand_changes", for_output=False),
    _part_model("demand_changes", for_output=True),
)


class ScenarioOut(BaseModel):
    name: str
    description: str | None
    year: int | None
    weight: float | None
    disruptions: list[DisruptionOut]
    demand_changes: list[DemandChangeOut]
    projects: list[str]


class ScenarioIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str | None = Field(default=None, max_length=10_000)
    year: int | None = Field(default=None, ge=1900, le=2200)
    weight: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    disruptions: list[DisruptionIn] = Field(default_factory=list, max_length=10_000)
    demand_changes: list[DemandChangeIn] = Field(default_factory=list, max_length=10_000)
    projects: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=1000)
    note: str | None = Field(default=None, max_length=1000)


def scenario_objects(ds: Dataset, only: str | None = None) -> list[ScenarioOut]:
    """Scenarios of a dataset with their parts, by name."""
    scenarios = ds.scenarios if only is None else ds.scenarios.filter(pl.col("name") == only)
    out = []
    for s in scenarios.sort("name").iter_rows(named=True):
        sel = pl.col("scenario") == s["name"]
        out.append(
            ScenarioOut(
                name=s["name"],
                description=s["description"],
                year=s["year"],
                weight=s["weight"],
                disruptions=ds.disruptions.filter(sel).drop("scenario").to_dicts(),
                demand_changes=ds.demand_changes.filter(sel).drop("scenario").to_dicts(),
                projects=ds.scenario_projects.filter(sel)["project"].to_list(),
            )
        )
    return out


@router.get("", dependencies=[Cacheable], response_model=list[ScenarioOut], responses={404: {}})
def list_scenarios(
    name: str,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """Every scenario of the dataset with its disruptions, demand changes and projects."""
    return datasets.derived(name, version, viewer, "scenarios", scenario_objects)


@router.get("/{scenario}", dependencies=[Cacheable], response_model=ScenarioOut, responses={404: {}})
def read_scenario(
    name: str,
    scenario: ScenarioName,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    found = scenario_objects(datasets.visible(name, version, viewer), scenario)
    if not found:
        raise NotFoundError(_("No scenario %(s)s in dataset %(d)s.", s=scenario, d=name))
    return found[0]


def _write(
    store: Any,
    current: Dataset,
    name: str,
    user: Any,
    upserts: dict[str, pl.DataFrame],
    deletes: dict[str, pl.DataFrame],
    note: str | None,
    quota: int | Quota | None = None,
) -> Any:
    try:
        return apply_changes(
            store, current, name=name, user=user, upserts=upserts, deletes=deletes, note=note, quota=quota
        )
    except PermissionProblem as exc:
        return problems_response(exc.problems, len(exc.problems), 403, _("You may not change some of these records."))
    except ValidationError as exc:
        return problems_response(
            exc.problems, exc.total, 422, _("%(n)s problem(s) in the input; nothing was written.", n=exc.total)
        )


@router.put("/{scenario}", response_model=WriteOut, responses={403: {}, 404: {}, 422: {}})
def put_scenario(
    name: str,
    scenario: ScenarioName,
    body: ScenarioIn,
    user: WriterUser,
    store: StoreDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    request: Request,
) -> Any:
    """Create or replace a scenario (all its disruptions, demand changes and projects); writes a new version."""
    current = datasets.full(name)
    upserts, deletes = write_changes(
        current,
        scenario,
        description=body.description,
        year=body.year,
        weight=body.weight,
        disruptions=[d.model_dump() for d in body.disruptions],
        demand_changes=[d.model_dump() for d in body.demand_changes],
        projects=body.projects,
    )
    result = _write(store, current, name, user, upserts, deletes, body.note or f"scenario {scenario}", quota(request))
    if isinstance(result, JSONResponse):
        return result
    accounts.audit(conn, action="scenario written", user=user, target=f"{name}: {scenario}", ip=client_ip(request))
    return WriteOut(dataset=name, version=result.version, fingerprint=result.fingerprint, counts=result.counts)


@router.delete("/{scenario}", response_model=WriteOut, responses={403: {}, 404: {}, 422: {}})
def delete_scenario(
    name: str,
    scenario: ScenarioName,
    user: WriterUser,
    store: StoreDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    request: Request,
) -> Any:
    """Delete a scenario with its parts; writes a new version."""
    current = datasets.full(name)
    deletes = scenario_keys(current, scenario)
    if deletes["scenarios"].height == 0:
        raise NotFoundError(_("No scenario %(s)s in dataset %(d)s.", s=scenario, d=name))
    result = _write(store, current, name, user, {}, deletes, f"delete scenario {scenario}", quota(request))
    if isinstance(result, JSONResponse):
        return result
    accounts.audit(conn, action="scenario deleted", user=user, target=f"{name}: {scenario}", ip=client_ip(request))
    return WriteOut(dataset=name, version=result.version, fingerprint=result.fingerprint, counts=result.counts)


@router.post(
    "/{scenario}/copy", response_model=WriteOut, status_code=201, responses={403: {}, 404: {}, 409: {}, 422: {}}
)
def copy_scenario(
    name: str,
    scenario: ScenarioName,
    to: Annotated[str, Query(min_length=1, max_length=200, description="Name of the copy")],
    user: WriterUser,
    store: StoreDep,
    datasets: DatasetsDep,
    conn: SessionDep,
    request: Request,
) -> Any:
    """Copy a scenario under a new name; writes a new version."""
    current = datasets.full(name)
    try:
        upserts = copy_changes(current, scenario, to)
    except ScenarioExists as exc:
        return JSONResponse({"detail": str(exc)}, status_code=409)
    result = _write(store, current, name, user, upserts, {}, f"copy scenario {scenario} to {to}", quota(request))
    if isinstance(result, JSONResponse):
        return result
    accounts.audit(
        conn, action="scenario copied", user=user, target=f"{name}: {scenario} -> {to}", ip=client_ip(request)
    )
    return WriteOut(dataset=name, version=result.version, fingerprint=result.fingerprint, counts=result.counts)
