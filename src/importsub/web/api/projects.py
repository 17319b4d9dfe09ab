# mypy: disable-error-code="valid-type,attr-defined"
"""Joint projects as whole objects: partners, outputs, ramp-up, milestones and the links they can replace.

Projects are records (``projects``, ``project_partners``, ``project_outputs``,
``project_rampup``, ``milestones``, ``project_substitutes``); edit them
through the record routes.  Project impact analyses and portfolio runs are
analysis jobs (``POST /api/analyses/project``, ``impact``, ``portfolio``).
"""

# no "from __future__ import annotations": FastAPI reads the generated models from the signatures
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, create_model

from importsub.model.errors import NotFoundError
from importsub.model.records import field_definition as _field_type
from importsub.model.schema import table as record_type
from importsub.web.conditional import Cacheable
from importsub.web.deps import CurrentUser, DatasetsDep, ViewerDep
from importsub.web.i18n import gettext as _
from importsub.web.services.views import PROJECT_PARTS, project_objects

router = APIRouter(prefix="/datasets/{name}/projects", tags=["projects"])


def _out_model(table_name: str, prefix: str, drop: str | None) -> type[BaseModel]:
    rt = record_type(table_name)
    fields = {f.name: _field_type(f, for_output=True) for f in rt.fields if f.name != drop}
    return create_model(f"{prefix}{rt.record}Out", **fields)  # type: ignore[call-overload, no-any-return]


ProjectFields = _out_model("projects", "", None)
_PART_MODELS = {k: _out_model(t, "Project", "project") for k, t in PROJECT_PARTS.items()}


ProjectOut = create_model(  # type: ignore[call-overload]
    "ProjectOut",
    __base__=ProjectFields,
    **{k: (list[m], ...) for k, m in _PART_MODELS.items()},
    milestones_done=(int, ...),
    milestones_total=(int, ...),
)


@router.get("", dependencies=[Cacheable], response_model=list[ProjectOut], responses={404: {}})
def list_projects(
    name: str,
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """Every project with partners, outputs, ramp-up, milestones and substitutable links."""
    return datasets.derived(name, version, viewer, "projects", project_objects)


@router.get("/{project}", dependencies=[Cacheable], response_model=ProjectOut, responses={404: {}})
def read_project(
    name: str,
    project: Annotated[str, Path(min_length=1, max_length=200)],
    user: CurrentUser,
    viewer: ViewerDep,
    datasets: DatasetsDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    found = project_objects(datasets.visible(name, version, viewer), project)
    if not found:
        raise NotFoundError(_("No project %(p)s in dataset %(d)s.", p=project, d=name))
    return found[0]
