# mypy: disable-error-code="valid-type,attr-defined"
"""Records of every type, from the one schema: one router, its routes generated per record type.

For each record type ``T`` of :data:`importsub.model.schema.TABLES`:

* ``GET  /datasets/{name}/records/T`` — list with search (``q``), exact filters
  (``where=field=value``), sort and paging; confidential fields of other
  organisations come back null, and searching, filtering and sorting happen
  after masking, so they cannot probe hidden figures;
* ``POST /datasets/{name}/records/T`` — add or replace records (by key), as a
  new version (analysts and admins; see :mod:`importsub.web.services.editing`);
* ``POST /datasets/{name}/records/T/delete`` — delete records by key.

Request and response models are built from the schema's fields (types,
bounds, choices, units in the descriptions), so the OpenAPI document shows
every record type in full.
"""

# no "from __future__ import annotations": FastAPI reads the generated models from the signatures
import datetime as dt
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, create_model

from importsub.model.errors import ValidationError
from importsub.model.records import record_model
from importsub.model.schema import TABLES, RecordType
from importsub.store import accounts
from importsub.web.api.schemas import WriteOut, problems_response
from importsub.web.conditional import Cacheable
from importsub.web.confidentiality import RULES
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
from importsub.web.services.editing import PermissionProblem, apply_changes, typed_rows
from importsub.web.services.records import select_rows

router = APIRouter(tags=["records"], dependencies=[CsrfChecked])

PY_TYPES: dict[str, Any] = {"str": str, "int": int, "float": float, "bool": bool, "date": dt.date}


class FieldOut(BaseModel):
    name: str
    type: str
    unit: str
    required: bool
    description: str
    label_ru: str
    description_ru: str
    choices: list[str] | None
    choices_ru: list[str] | None
    references: str | None
    confidential: bool


class RecordTypeOut(BaseModel):
    name: str
    record: str
    label: str
    label_ru: str
    description: str
    description_ru: str
    key: list[str]
    fields: list[FieldOut]


class TableCount(BaseModel):
    table: str
    records: int


class DeleteOut(WriteOut):
    deleted: int


def _models(rt: RecordType) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    """Input, output and key models of a record type, all from the one schema."""
    record_in = record_model(rt, name=f"{rt.record}In")
    record_out = record_model(rt, for_output=True, name=f"{rt.record}Out", base=BaseModel)
    key = record_model(rt, fields=rt.key, name=f"{rt.record}Key")
    return record_in, record_out, key


def _schema_out(rt: RecordType) -> RecordTypeOut:
    rule = RULES.get(rt.name)
    return RecordTypeOut(
        name=rt.name,
        record=rt.record,
        label=rt.label,
        label_ru=rt.label_ru,
        description=rt.description,
        description_ru=rt.description_ru,
        key=list(rt.key),
        fields=[
            FieldOut(
                name=f.name,
                type=f.type,
                unit=f.unit,
                required=f.required,
                description=f.description,
                label_ru=f.label_ru,
                description_ru=f.description_ru,
                choices=list(f.choices) if f.choices else None,
                choices_ru=list(f.choices_ru) if f.choices_ru else None,
                references=f.ref,
                confidential=bool(rule and f.name in rule.fields),
            )
            for f in rt.fields
        ],
    )


@router.get("/schema", dependencies=[Cacheable], response_model=list[RecordTypeOut])
def read_schema() -> Any:
    """Every record type: fields, types, units, keys, references, and which fields are confidential; each
    table's and field's label and description in Russian beside the English (a field's English label is its
    name), and the Russian label of each enumeration code."""
    return [_schema_out(rt) for rt in TABLES]


@router.get("/datasets/{name}/records", dependencies=[Cacheable], response_model=list[TableCount], responses={404: {}})
def record_counts(
    name: str,
    user: CurrentUser,
    datasets: DatasetsDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """Number of records of every type in a version."""
    info = datasets.resolve(name, version)
    return [TableCount(table=t, records=n) for t, n in info.counts.items()]


def _add_routes(rt: RecordType) -> None:
    """The list, upsert and delete routes of one record type (in that order in the OpenAPI document)."""
    record_in, record_out, key_model = _models(rt)
    path = f"/datasets/{{name}}/records/{rt.name}"
    _add_list_route(rt, path, record_out)
    _add_upsert_route(rt, path, record_in)
    _add_delete_route(rt, path, key_model)


def _add_list_route(rt: RecordType, path: str, record_out: type[BaseModel]) -> None:
    page_model = create_model(
        f"{rt.record}Page",
        dataset=(str, ...),
        version=(int, ...),
        table=(str, ...),
        total=(int, Field(description="Records matching the search, before paging")),
        offset=(int, ...),
        limit=(int, ...),
        records=(list[record_out], ...),
    )

    def list_records(
        name: str,
        user: CurrentUser,
        viewer: ViewerDep,
        datasets: DatasetsDep,
        version: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Version (default: latest)")] = None,
        q: Annotated[str | None, Query(max_length=200, description="Text to find in any text field")] = None,
        where: Annotated[list[str], Query(description="Exact filters field=value")] = [],  # noqa: B006 - FastAPI copies it
        sort: Annotated[
            str | None, Query(max_length=100, description="Field to sort by; -field for descending")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> Any:
        info = datasets.resolve(name, version)
        df = datasets.visible(name, info.version, viewer).tables[rt.name]
        df = select_rows(df, q=q, where=where, sort=sort, rt=rt)
        return {
            "dataset": name,
            "version": info.version,
            "table": rt.name,
            "total": df.height,
            "offset": offset,
            "limit": limit,
            "records": df.slice(offset, limit).to_dicts(),
        }

    list_records.__doc__ = f"{rt.description}\n\nConfidential fields of other organisations are null."
    router.add_api_route(
        path,
        list_records,
        methods=["GET"],
        response_model=page_model,
        dependencies=[Cacheable],
        name=f"list_{rt.name}",
        summary=f"List {rt.name}",
        responses={404: {}, 400: {}},
    )


def _add_upsert_route(rt: RecordType, path: str, record_in: type[BaseModel]) -> None:
    upsert_model = create_model(
        f"{rt.record}Upsert",
        __config__=ConfigDict(extra="forbid"),
        records=(list[record_in], Field(min_length=1, max_length=100_000)),
        note=(str | None, Field(default=None, max_length=1000)),
    )

    def upsert_records(
        name: str,
        body: upsert_model,
        user: WriterUser,
        store: StoreDep,
        datasets: DatasetsDep,
        conn: SessionDep,
        request: Request,
    ) -> Any:
        current = datasets.full(name)
        records = [r.model_dump(exclude_unset=True) for r in body.records]
        try:
            rows = typed_rows(rt.name, records)
            info = apply_changes(
                store, current, name=name, user=user, upserts={rt.name: rows}, note=body.note, quota=quota(request)
            )
        except PermissionProblem as exc:
            return problems_response(
                exc.problems, len(exc.problems), 403, _("You may not change some of these records.")
            )
        except ValidationError as exc:
            return problems_response(
                exc.problems, exc.total, 422, _("%(n)s problem(s) in the input; nothing was written.", n=exc.total)
            )
        accounts.audit(
            conn,
            action="records written",
            user=user,
            target=f"{name} v{info.version}",
            detail={"table": rt.name, "records": len(records)},
            ip=client_ip(request),
        )
        return WriteOut(dataset=name, version=info.version, fingerprint=info.fingerprint, counts=info.counts)

    upsert_records.__doc__ = f"Add or replace {rt.name} records (by key {', '.join(rt.key)}); writes a new version."
    router.add_api_route(
        path,
        upsert_records,
        methods=["POST"],
        response_model=WriteOut,
        status_code=201,
        name=f"upsert_{rt.name}",
        summary=f"Add or replace {rt.name}",
        responses={403: {}, 404: {}, 422: {}},
    )


def _add_delete_route(rt: RecordType, path: str, key_model: type[BaseModel]) -> None:
    delete_model = create_model(
        f"{rt.record}Delete",
        __config__=ConfigDict(extra="forbid"),
        keys=(list[key_model], Field(min_length=1, max_length=100_000)),
        note=(str | None, Field(default=None, max_length=1000)),
    )

    def delete_records(
        name: str,
        body: delete_model,
        user: WriterUser,
        store: StoreDep,
        datasets: DatasetsDep,
        conn: SessionDep,
        request: Request,
    ) -> Any:
        current = datasets.full(name)
        keys = pl.DataFrame(
            [k.model_dump() for k in body.keys], schema={k: current.tables[rt.name].schema[k] for k in rt.key}
        )
        found = current.tables[rt.name].join(keys, on=list(rt.key), how="semi").height
        try:
            info = apply_changes(
                store, current, name=name, user=user, deletes={rt.name: keys}, note=body.note, quota=quota(request)
            )
        except PermissionProblem as exc:
            return problems_response(
                exc.problems, len(exc.problems), 403, _("You may not change some of these records.")
            )
        except ValidationError as exc:
            return problems_response(
                exc.problems, exc.total, 422, _("%(n)s problem(s) in the input; nothing was written.", n=exc.total)
            )
        accounts.audit(
            conn,
            action="records deleted",
            user=user,
            target=f"{name} v{info.version}",
            detail={"table": rt.name, "records": found},
            ip=client_ip(request),
        )
        return DeleteOut(
            dataset=name, version=info.version, fingerprint=info.fingerprint, counts=info.counts, deleted=found
        )

    delete_records.__doc__ = f"Delete {rt.name} records by key ({', '.join(rt.key)}); writes a new version."
    router.add_api_route(
        path + "/delete",
        delete_records,
        methods=["POST"],
        response_model=DeleteOut,
        name=f"delete_{rt.name}",
        summary=f"Delete {rt.name}",
        responses={403: {}, 404: {}, 422: {}},
    )


for _rt in TABLES:
    _add_routes(_rt)
