"""The fast import paths write exactly what the plain path writes, and nothing on error.

Fast paths: PostgreSQL binary COPY (store/pgbinary.py, the primary key built after a first load)
and SQLite ADBC ingest.  The plain path, checked against: SQLAlchemy ``INSERT`` statements of
Python values (``Store._insert_rows``), which is how a row was written before any bulk path.
Tables are compared as the database holds them (every column but ``version_id``, in key order).

The binary encoder is also checked on its own against PostgreSQL's binary parser: random rows of
every column type, NULLs and Cyrillic included, copied in and read back (hypothesis).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import polars as pl
import psycopg
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import importsub.store.postgres as pg_bulk
from importsub.demo import load
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError
from importsub.model.schema import TABLES
from importsub.model.validate import check
from importsub.store import Store, pgbinary


def _contents(store: Store, dataset: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every record table's rows of the dataset's latest version, as the database returns them."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with store.engine.connect() as conn:
        version_id = conn.execute(
            sa.text(
                "SELECT v.id FROM versions v JOIN datasets d ON d.id = v.dataset_id "
                "WHERE d.name = :n ORDER BY v.number DESC LIMIT 1"
            ),
            {"n": dataset},
        ).scalar_one()
        for rt in TABLES:
            cols = ", ".join(f'"{c}"' for c in rt.field_names)
            keys = ", ".join(f'"{c}"' for c in rt.key)
            rows = conn.execute(
                sa.text(f'SELECT {cols} FROM "{rt.name}" WHERE version_id = :v ORDER BY {keys}'), {"v": version_id}
            ).all()
            out[rt.name] = [tuple(r) for r in rows]
    return out


def _with_nulls_and_cyrillic(ds: Dataset) -> Dataset:
    """``ds`` with a Cyrillic source note on every other row and NULL sources on the rest."""
    tables = {}
    for rt in TABLES:
        df = ds.tables[rt.name]
        if "source" in df.columns and df.height:
            note = pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("Росстат, «форма П-1» №7 — ёж"))
            df = df.with_columns(note.otherwise(None).alias("source"))
        tables[rt.name] = df
    return Dataset(ds.name, tables)


@pytest.fixture(params=["demo", "tiny"])
def dataset(request: pytest.FixtureRequest, tiny: Dataset) -> Dataset:
    ds = load() if request.param == "demo" else tiny
    return check(_with_nulls_and_cyrillic(ds))


def _plain(store: Store) -> Store:
    """``store`` writing through SQLAlchemy INSERTs only (no COPY, no ADBC)."""
    store.bulk_sqlite = False
    store._copy_postgres = store._insert_rows  # type: ignore[method-assign]
    return store


@pytest.mark.parametrize("key_after", [True, False], ids=["key-built-after", "key-kept"])
def test_fast_path_writes_what_the_plain_path_writes(
    store_url: str, dataset: Dataset, key_after: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_bulk, "INDEX_AFTER_ROWS", 1 if key_after else 10**12)
    fast = Store(store_url)
    plain = _plain(Store(store_url))
    fast.write_dataset(dataset, name="fast")  # first load: empty tables
    plain.write_dataset(dataset, name="plain")
    fast.write_dataset(dataset, name="fast-again")  # tables hold rows: keys stay in place
    want = _contents(plain, "plain")
    assert sum(len(rows) for rows in want.values()) == sum(dataset.counts().values())
    # the fixture has what must survive: Cyrillic text, NULLs and booleans both ways
    flat = [v for rows in want.values() for row in rows for v in row]
    assert "Росстат, «форма П-1» №7 — ёж" in flat
    assert None in flat
    assert True in flat
    assert False in flat
    for name in ("fast", "fast-again"):
        got = _contents(fast, name)
        for table, rows in want.items():
            assert got[table] == rows, table
        assert fast.read_dataset(name).equals(dataset)
    fast.close()
    plain.close()


def test_a_row_the_server_refuses_rolls_back_the_whole_import(pg_url: str, tiny: Dataset) -> None:
    """A NOT NULL violation in the last record table with rows, found by PostgreSQL during the binary COPY."""
    store = Store(pg_url)
    store.write_dataset(tiny, name="kept")
    before = _contents(store, "kept")
    last = [rt for rt in TABLES if tiny.tables[rt.name].height][-1]
    required = next(f.name for f in last.fields if f.required and f.name not in last.key)
    broken = dict(tiny.tables)
    broken[last.name] = broken[last.name].with_columns(
        pl.lit(None, dtype=broken[last.name][required].dtype).alias(required)
    )
    with pytest.raises(ImportsubError, match=f"nothing was written.*{required}"):
        store.write_dataset(Dataset("tiny", broken), name="kept")
    assert [v.version for v in store.versions("kept")] == [1]
    assert _contents(store, "kept") == before
    with store.engine.connect() as conn:
        for rt in TABLES:
            n = conn.execute(sa.text(f'SELECT count(*) FROM "{rt.name}"')).scalar_one()
            assert n == tiny.tables[rt.name].height, rt.name
    store.close()


def test_a_frame_of_the_wrong_type_is_refused_naming_the_column(pg_url: str, tiny: Dataset) -> None:
    store = Store(pg_url)
    frames = dict(tiny.tables)
    frames["sites"] = frames["sites"].with_columns(pl.col("lat").cast(pl.String))
    with pytest.raises(ImportsubError, match=r"column 'lat' is String, the table's is double precision"):
        store.write_dataset(Dataset("tiny", frames))
    assert store.datasets() == []
    store.close()


# ------------------------------------------------------------ the encoder against PostgreSQL

_TYPES = {
    "i4": "integer",
    "i8": "bigint",
    "f8": "double precision",
    "b": "boolean",
    "d": "date",
    "t": "text",
    "t2": "text",
}
_SCHEMA = {"i4": pl.Int64, "i8": pl.Int64, "f8": pl.Float64, "b": pl.Boolean, "d": pl.Date, "t": pl.String}

_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
) | st.sampled_from(["", "Руденск", "Тольятти — «АвтоВАЗ»", "ёЁ№", "𝔘"])
_row = st.fixed_dictionaries(
    {
        "i4": st.none() | st.integers(-(2**31), 2**31 - 1),
        "i8": st.none() | st.integers(-(2**63), 2**63 - 1),
        "f8": st.none() | st.floats(allow_nan=True, allow_infinity=True),
        "b": st.none() | st.booleans(),
        "d": st.none() | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
        "t": st.none() | _text,
    }
)


@pytest.fixture
def pg_table(pg_url: str) -> Any:
    """A psycopg connection to the test server (each example copies into a temporary table, rolled back)."""
    url = sa.engine.make_url(pg_url.split("?", 1)[0]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        yield conn


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return bool(a == b) and type(a) is type(b)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, max_size=30), batch=st.integers(1, 7), grouped=st.sampled_from([None, True, False]))
def test_binary_rows_read_back_as_written(
    pg_table: Any, rows: list[dict[str, Any]], batch: int, grouped: bool | None
) -> None:
    """Both layouts of :func:`pgbinary.encode_rows` (rows grouped by layout, or scattered in order)."""
    df = pl.DataFrame(rows, schema=_SCHEMA, orient="row") if rows else pl.DataFrame(schema=_SCHEMA)
    # text whose NULL slots still span bytes, as polars leaves them after when/then
    df = df.with_columns(pl.when(pl.col("b")).then(pl.lit("Руденск")).otherwise(None).alias("t2"))
    conn = pg_table
    with conn.transaction(force_rollback=True):
        conn.execute("CREATE TEMP TABLE enc (seq bigint, " + ", ".join(f"{c} {t}" for c, t in _TYPES.items()) + ")")
        frame = df.with_row_index("seq").with_columns(pl.col("seq").cast(pl.Int64))
        types = {"seq": "bigint", **_TYPES}
        pgbinary.check_types(frame, types, "enc")
        with conn.cursor() as cur, cur.copy("COPY enc FROM STDIN (FORMAT binary)") as copy:
            copy.write(pgbinary.HEADER)
            for start in range(0, frame.height, batch):
                copy.write(pgbinary.encode_rows(frame.slice(start, batch), types, grouped=grouped))
            copy.write(pgbinary.TRAILER)
        got = conn.execute("SELECT " + ", ".join(_TYPES) + " FROM enc ORDER BY seq").fetchall()
    want = [(*tuple(r[c] for c in _TYPES if c != "t2"), "Руденск" if r["b"] else None) for r in rows]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert all(_same(a, b) for a, b in zip(g, w, strict=True)), (g, w)


def test_an_integer_column_refuses_a_number_beyond_its_range() -> None:
    df = pl.DataFrame({"v": [1, 2**31]})
    with pytest.raises(ImportsubError, match="column 'v' holds a number beyond the range of an integer column"):
        pgbinary.encode_rows(df, {"v": "integer"})


def test_an_unknown_column_type_is_named() -> None:
    with pytest.raises(ImportsubError, match="column 'v' has type numeric, which is not encoded"):
        pgbinary.check_types(pl.DataFrame({"v": [1.5]}), {"v": "numeric"}, "t")
