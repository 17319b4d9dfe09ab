"""The pydantic models and the columnar validator come from one schema and agree."""

from __future__ import annotations

import inspect
import math
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError as PydanticError

from importsub.model import dataset as dataset_module
from importsub.model.dataset import Dataset, accessor_source, polars_schema
from importsub.model.docs import records_markdown
from importsub.model.records import MODELS
from importsub.model.schema import TABLE_NAMES, TABLES, Field, RecordType
from importsub.model.validate import value_problems
from importsub.store.tables import RECORD_TABLES


def _value(f: Field) -> st.SearchStrategy[object]:
    if f.type == "str":
        opts = [*list(f.choices), "zzz"] if f.choices else None
        base: st.SearchStrategy[object] = (
            st.sampled_from(opts)
            if opts
            else st.sampled_from(
                [
                    *("A", "Руденск", "x y", " ", "", "BY", "by", "8703", "87.03", "a\x00b", "x\ny", "a\tb"),
                    *("7707083893", "7707083894", "500100732259", "500100732258", "1027700132195"),
                    *("1027700132194", "304500116000157", "304500116000158", "29.32.30"),
                ]
            )
        )
    elif f.type == "int":
        base = st.integers(-5, 2300)
    elif f.type == "float":
        base = st.sampled_from(
            [-1.0, -0.0, 0.0, 0.5, 1.0, 1.5, 90.0, 91.0, -181.0, 1e6, 1e15, 1.5e15, -1e16, math.inf, math.nan]
        )
    elif f.type == "bool":
        base = st.booleans()
    else:
        base = st.dates(date(2000, 1, 1), date(2030, 1, 1))
    return st.none() | base


@st.composite
def rows(draw: st.DrawFn) -> tuple[RecordType, dict[str, object]]:
    rt = draw(st.sampled_from(TABLES))
    return rt, {f.name: draw(_value(f)) for f in rt.fields}


@settings(max_examples=400, deadline=None)
@given(case=rows())
def test_pydantic_and_columnar_agree(case: tuple[RecordType, dict[str, object]]) -> None:
    rt, row = case
    # the columnar path fills optional defaults before checking values; do the same for pydantic
    for f in rt.fields:
        if row[f.name] is None and not f.required and f.default is not None:
            row[f.name] = f.default
    df = pl.DataFrame([row], schema=polars_schema(rt), orient="row")
    columnar_ok = not value_problems(rt.name, df)
    payload = {k: v for k, v in row.items() if v is not None}
    try:
        MODELS[rt.name](**payload)
        pydantic_ok = True
    except PydanticError:
        pydantic_ok = False
    assert columnar_ok == pydantic_ok, (rt.name, row, value_problems(rt.name, df))


def test_one_schema_drives_database_columns() -> None:
    for rt in TABLES:
        cols = [c.name for c in RECORD_TABLES[rt.name].columns]
        assert cols == ["version_id", *rt.field_names]
        for f in rt.fields:
            assert RECORD_TABLES[rt.name].c[f.name].nullable == (not f.required)
        assert list(MODELS[rt.name].model_fields) == list(rt.field_names)


def test_docs_current() -> None:
    committed = (Path(__file__).parents[1] / "docs" / "records.md").read_text(encoding="utf-8")
    assert committed == records_markdown(), "docs/records.md is stale: python -m importsub.model.docs > docs/records.md"


@pytest.mark.parametrize("rt", TABLES, ids=lambda rt: rt.name)
def test_keys_are_required(rt: RecordType) -> None:
    assert all(rt.field(k).required for k in rt.key)


def test_dataset_has_one_typed_accessor_per_record_type() -> None:
    # the properties in dataset.py are the ones the schema generates (regenerate: accessor_source())
    assert accessor_source() in inspect.getsource(dataset_module)
    ds = Dataset.empty()
    for name in TABLE_NAMES:
        assert isinstance(inspect.getattr_static(Dataset, name), property), name
        assert getattr(ds, name) is ds.tables[name]
    with pytest.raises(AttributeError):
        ds.site  # noqa: B018  (a typo: no fallback through __getattr__)
