"""Persistence of datasets: SQLite by default, PostgreSQL by URL.

Each named dataset has immutable versions; an import writes a whole new
version in one transaction (or nothing).  Schema changes go through Alembic
migrations, applied when a store is opened.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import signal
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from importsub.model.dataset import Dataset, content_fingerprint, polars_schema
from importsub.model.errors import ImportsubError, NotFoundError
from importsub.model.schema import TABLE_NAMES, TABLES, RecordType, table
from importsub.store import postgres
from importsub.store.schema_version import MIGRATIONS, at_head
from importsub.store.tables import RECORD_TABLES, datasets, metadata, versions

ProgressFn = Callable[[str, int, int], None]
"""progress(table_name, rows_written_so_far, rows_total)."""

BATCH_ROWS = 50_000


def default_url() -> str:
    """``IMPORTSUB_DB`` if set, else a SQLite file in the user data folder."""
    env = os.environ.get("IMPORTSUB_DB")
    if env:
        return normalise_url(env)
    import platformdirs

    path = platformdirs.user_data_path("importsub", appauthor=False) / "importsub.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def normalise_url(db: str) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (taken as SQLite)."""
    if "://" in db:
        if db.startswith(("postgresql://", "postgres://")):
            return "postgresql+psycopg://" + db.split("://", 1)[1]
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


@dataclass(frozen=True)
class VersionInfo:
    dataset: str
    version: int
    created_at: datetime
    note: str | None
    source: str | None
    fingerprint: str
    counts: dict[str, int]
    created_by: str | None = None


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    latest: int
    versions: int
    created_at: datetime
    counts: dict[str, int]


def _adbc_error() -> type[Exception]:
    import adbc_driver_manager

    return adbc_driver_manager.Error  # type: ignore[no-any-return]


#: seconds a write waits for another writer to finish (an import of millions of records takes minutes)
WRITE_WAIT = 600.0


def write_wait() -> float:
    """Seconds a write waits for another writer: ``IMPORTSUB_WRITE_WAIT`` if set, else :data:`WRITE_WAIT`."""
    text = os.environ.get("IMPORTSUB_WRITE_WAIT")
    if not text:
        return WRITE_WAIT
    try:
        value = float(text)
    except ValueError:
        raise ImportsubError(f"IMPORTSUB_WRITE_WAIT: {text!r} is not a number of seconds") from None
    if not value >= 0:
        raise ImportsubError(f"IMPORTSUB_WRITE_WAIT: {text!r} must be 0 or more seconds")
    return value


#: advisory lock key of schema migrations on PostgreSQL (two first imports into an empty database)
MIGRATION_LOCK = 0x1D5_0001
_WRITE = "importsub_write"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # the driver's own transaction handling off: BEGIN is ours (below), so a write transaction can be IMMEDIATE
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    try:
        cur.execute("PRAGMA journal_mode=WAL")
    except Exception as exc:  # a read-only store keeps the journal mode it has
        if "readonly" not in str(exc).lower() and "read-only" not in str(exc).lower():
            raise
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={int(write_wait() * 1000)}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """SQLite: a write transaction takes the write lock when it begins (``BEGIN IMMEDIATE``), waiting for
    another writer; a deferred one that read first could not upgrade its lock and would fail at once
    with "database is locked"."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction: on SQLite it takes the write lock when it begins (``BEGIN IMMEDIATE``),
    waiting up to :func:`write_wait` seconds for another writer.

    Plain ``engine.begin()`` is a deferred transaction, for reads and small writes: a read never waits
    for an import.  A deferred transaction that read first and then writes while another connection
    writes fails with "database is locked" instead of waiting, so whatever reads and then writes in one
    transaction (an import, a migration, a sign-in, claiming a job) goes through here.
    """
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _python_sigint() -> Iterator[None]:
    """Keep Python's own Ctrl-C handling during an ADBC write.

    ADBC runs each call under a C SIGINT handler that asks the driver to cancel.
    SQLite's driver cannot cancel. So Ctrl-C was either swallowed, and the import
    went on to the end, or it struck while the default handler was in place and
    killed the process. Called directly, a call finishes its batch and
    ``KeyboardInterrupt`` is raised between batches; the transaction is then
    rolled back.
    """
    import adbc_driver_manager.dbapi as dbapi

    original = getattr(dbapi, "_blocking_call", None)
    if original is None or not _on_main_thread():
        yield
        return
    dbapi._blocking_call = lambda func, args, kwargs, cancel: func(*args, **kwargs)
    try:
        yield
    finally:
        dbapi._blocking_call = original


def _commit_whole(cur: Any) -> None:
    """COMMIT with Ctrl-C ignored until it returns.

    A version that is committed has landed, and the command reports it as
    written. Only an interrupt that comes before the commit rolls the version
    back.
    """
    if not _on_main_thread():
        cur.execute("COMMIT")
        return
    from importsub.model.interrupts import held_after_commit

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cur.execute("COMMIT")
    except BaseException:
        signal.signal(signal.SIGINT, previous)
        raise
    # the command process keeps Ctrl-C ignored from here (it only reports and exits): a Ctrl-C between
    # this COMMIT and the command's end would otherwise say "interrupted" of a version that landed
    if not held_after_commit():
        signal.signal(signal.SIGINT, previous)


def _caused_by_interrupt(exc: BaseException) -> bool:
    """ADBC turns Ctrl-C during a call into the driver's "cancel not implemented" error, caused by it."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def _disk_full(text: str) -> bool:
    low = text.lower()
    return "disk is full" in low or "no space left" in low or "disk full" in low or "could not extend file" in low


class Store:
    """A store of datasets and their versions.

    Writes wait for each other (up to :func:`write_wait` seconds): concurrent
    imports all land, with distinct version numbers.

    Parameters
    ----------
    db : str, optional
        SQLAlchemy URL (``postgresql+psycopg://host/db``, ``sqlite:///file``)
        or a file path (SQLite).  Default: :func:`default_url`.
    migrate : bool
        Apply the schema migrations when the store is behind (default).
    pool_size : int
        SQLite file stores: connections kept open for reuse (a server); 0 (default): a new connection per
        use.  PostgreSQL always pools.  A pooled SQLite store imports through SQLAlchemy
        (``bulk_sqlite`` off): ADBC's own copy of SQLite in the same process would not see the pooled
        connections' file locks.

    Examples
    --------
    >>> import tempfile, os
    >>> from importsub.model import Dataset
    >>> store = Store(os.path.join(tempfile.mkdtemp(), "s.sqlite"))
    >>> store.write_dataset(Dataset.empty("x")).version
    1
    """

    #: extra PRAGMA statements of the bulk SQLite write connection (tests: ``PRAGMA max_page_count``)
    write_pragmas: tuple[str, ...] = ()
    #: SQLite imports through ADBC (its own copy of SQLite, about 2.5x faster).  Two copies of SQLite in one
    #: process do not see each other's file locks, so a process whose threads also write through
    #: SQLAlchemy at the same time (the web server) must turn this off: it then imports through SQLAlchemy.
    bulk_sqlite: bool = True

    def __init__(self, db: str | None = None, *, migrate: bool = True, pool_size: int = 0) -> None:
        self.url = normalise_url(db) if db else default_url()
        self.is_sqlite = self.url.startswith("sqlite")
        self.read_only = False
        try:
            if self.is_sqlite:
                path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
                if path and path != ":memory:" and "?" not in path:
                    file = Path(path)
                    if file.exists() and not (os.access(file, os.W_OK) and os.access(file.parent, os.W_OK)):
                        # a store we may only read (a read-only file or folder): open it read-only; a WAL
                        # database can then only be read as immutable (its -shm file cannot be made)
                        self.read_only = True
                        self.url = f"sqlite:///file:{file}?mode=ro&immutable=1&uri=true"
                    else:
                        file.parent.mkdir(parents=True, exist_ok=True)
            # SQLite: by default a new connection per use (cheap for a command that opens the store a few
            # times); a long-lived server keeps ``pool_size`` open connections instead (the connect and its
            # PRAGMAs were a third of a cached page's time).  A pooled connection is rolled back when it is
            # returned, so it holds no WAL snapshot: its next transaction sees every commit made since.
            pool: dict[str, Any] = {"pool_pre_ping": True}
            if self.is_sqlite:
                in_memory = ":memory:" in self.url or self.url in ("sqlite://", "sqlite:///")
                pool = {"connect_args": {"timeout": write_wait(), "check_same_thread": False}}
                if pool_size > 0 and not in_memory:
                    # no cap on the overflow (closed when returned): a request may hold two connections at
                    # once (its transaction and a cached read's), and a capped pool would deadlock under load
                    pool |= {"poolclass": sa.pool.QueuePool, "pool_size": pool_size, "max_overflow": -1}
                    self.bulk_sqlite = False
                else:
                    pool["poolclass"] = sa.pool.NullPool
            self.engine: Engine = sa.create_engine(self.url, **pool)
        except (sa.exc.ArgumentError, ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
            raise ImportsubError(f"cannot open store {db!r}: {exc}") from exc
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        # close pooled connections when the store is dropped
        self._finalizer = weakref.finalize(self, self.engine.dispose)
        if migrate:
            self.upgrade()

    def writing(self) -> contextlib.AbstractContextManager[Connection]:
        """A write transaction of this store (see :func:`write_transaction`)."""
        return write_transaction(self.engine)

    def close(self) -> None:
        """Close every pooled connection."""
        self._finalizer()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.read_only:
            return f"Store({(self.engine.url.database or '').removeprefix('file:')!r}, read-only)"
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r})"

    # ------------------------------------------------------------ schema

    def upgrade(self) -> None:
        """Apply Alembic migrations up to head; a store already there is only read (one ``SELECT``)."""
        try:
            if at_head(self.engine):
                return  # nothing to write: a read-only store opens too
            self._migrate()
        except sa.exc.OperationalError as exc:
            if self.read_only or (self.is_sqlite and "readonly" in str(exc.orig).lower()):
                raise ImportsubError(
                    f"cannot open store {self}: it is read-only and needs an upgrade to this version of importsub"
                ) from exc
            raise ImportsubError(f"cannot open store {self}: {exc.orig}") from exc
        except sa.exc.DBAPIError as exc:
            raise ImportsubError(f"cannot open store {self}: {exc.orig}") from exc

    def _migrate(self) -> None:
        """Run Alembic's upgrade to head in one write transaction (Alembic is loaded only here)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.writing() as conn:
            if not self.is_sqlite:
                # two processes creating the tables of an empty database: one does, the other waits and
                # then finds them there (SQLite: BEGIN IMMEDIATE serialises the same way)
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    # ------------------------------------------------------------ listing

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset with its latest version."""
        q = (
            sa.select(datasets.c.name, datasets.c.created_at, versions.c.number, versions.c.counts)
            .join(versions, versions.c.dataset_id == datasets.c.id)
            .order_by(datasets.c.name, versions.c.number)
        )
        out: dict[str, DatasetInfo] = {}
        with self.engine.connect() as conn:
            for name, created, number, counts in conn.execute(q):
                prev = out.get(name)
                out[name] = DatasetInfo(name, number, (prev.versions if prev else 0) + 1, created, dict(counts))
        return list(out.values())

    def versions(self, name: str) -> list[VersionInfo]:
        """Versions of dataset ``name``, oldest first."""
        q = (
            sa.select(versions)
            .join(datasets, versions.c.dataset_id == datasets.c.id)
            .where(datasets.c.name == name)
            .order_by(versions.c.number)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        if not rows:
            raise NotFoundError(self._not_found(name))
        return [
            VersionInfo(
                name,
                r["number"],
                r["created_at"],
                r["note"],
                r["source"],
                r["fingerprint"],
                dict(r["counts"]),
                r["created_by"],
            )
            for r in rows
        ]

    def versions_written_by(self, username: str, since: datetime) -> list[datetime]:
        """When ``username`` wrote versions (of any dataset) since ``since``, oldest first (for write quotas)."""
        q = (
            sa.select(versions.c.created_at)
            .where(versions.c.created_by == username, versions.c.created_at >= since)
            .order_by(versions.c.created_at)
        )
        with self.engine.connect() as conn:
            stamps = conn.execute(q).scalars().all()
        return [t if t.tzinfo else t.replace(tzinfo=UTC) for t in stamps]

    def _not_found(self, name: str, version: int | None = None) -> str:
        known = [d.name for d in self.datasets()]
        what = f"dataset {name!r}" if version is None else f"version {version} of dataset {name!r}"
        return f"no {what} in {self}; datasets: {', '.join(known) or 'none (run importsub demo or importsub import)'}"

    def _version_id(self, conn: Connection, name: str, version: int | None) -> tuple[int, int]:
        q = (
            sa.select(versions.c.id, versions.c.number)
            .join(datasets, versions.c.dataset_id == datasets.c.id)
            .where(datasets.c.name == name)
        )
        q = q.where(versions.c.number == version) if version is not None else q.order_by(versions.c.number.desc())
        row = conn.execute(q.limit(1)).first()
        if row is None:
            raise NotFoundError(self._not_found(name, version))
        return int(row[0]), int(row[1])

    def has_dataset(self, name: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(datasets.c.id).where(datasets.c.name == name)).first() is not None

    # ------------------------------------------------------------ writing

    def write_dataset(
        self,
        ds: Dataset,
        *,
        name: str | None = None,
        note: str | None = None,
        source: str | None = None,
        created_by: str | None = None,
        progress: ProgressFn | None = None,
    ) -> VersionInfo:
        """Write ``ds`` as a new version of dataset ``name`` (default ``ds.name``).

        The whole version is one transaction: on any error nothing is written.
        The dataset should have been validated (``importsub.model.validate``).
        """
        name = name or ds.name
        now = datetime.now(UTC)
        counts = ds.counts()
        # sort once: the same key order serves the fingerprint and B-tree friendly inserts
        ds = Dataset(ds.name, ds.canonical_tables(), ds.version, ds.meta)
        fingerprint = content_fingerprint(ds.tables)
        info = VersionInfo(name, 0, now, note, source, fingerprint, counts, created_by)
        try:
            bulk = self.bulk_sqlite and self.is_sqlite and self._sqlite_path() is not None
            write = self._write_sqlite_bulk if bulk else self._write
            return dataclasses.replace(info, version=write(ds, info, progress))
        except sa.exc.DBAPIError as exc:
            # Ctrl-C during a COPY whose sender thread was still busy: the rollback then fails ("another
            # command is already in progress"); nothing was committed, and the user asked to stop
            if _caused_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            raise self._write_error(name, exc.orig or exc) from exc
        except (self.engine.dialect.loaded_dbapi.Error, _adbc_error()) as exc:  # raised by the bulk paths
            if _caused_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            raise self._write_error(name, exc) from exc
        except OSError as exc:
            raise self._write_error(name, exc) from exc

    def _write_error(self, name: str, exc: BaseException) -> ImportsubError:
        text = str(exc).strip()
        if (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or _disk_full(text):
            return ImportsubError(f"writing {name!r} to {self} failed: disk full; nothing was written ({text})")
        if "readonly" in text.lower() or "read-only" in text.lower():
            return ImportsubError(f"writing {name!r} to {self} failed: the store is read-only; nothing was written")
        return ImportsubError(f"writing {name!r} to {self} failed, nothing was written: {text}")

    def _write(self, ds: Dataset, info: VersionInfo, progress: ProgressFn | None) -> int:
        """Any database through SQLAlchemy (PostgreSQL: COPY, else INSERTs); returns the new version number."""
        name, now, total, done = info.dataset, info.created_at, sum(info.counts.values()), 0
        with self.writing() as conn:
            dataset_id = self._lock_dataset(conn, name, now)
            last = conn.execute(
                sa.select(sa.func.max(versions.c.number)).where(versions.c.dataset_id == dataset_id)
            ).scalar()
            number = int(last or 0) + 1
            version_id = conn.execute(
                versions.insert()
                .values(
                    dataset_id=dataset_id,
                    number=number,
                    created_at=now,
                    note=info.note,
                    source=info.source,
                    fingerprint=info.fingerprint,
                    counts=info.counts,
                    created_by=info.created_by,
                )
                .returning(versions.c.id)
            ).scalar_one()
            skipped = not self.is_sqlite and postgres.skip_reference_checks(conn)
            for rt in TABLES:
                df = ds.tables[rt.name]
                if df.height == 0:
                    continue
                rows = self._copy_postgres if not self.is_sqlite else self._insert_rows
                for written in rows(conn, rt, version_id, df):
                    if progress:
                        progress(rt.name, done + written, total)
                done += df.height
            if skipped:
                postgres.restore_reference_checks(conn)
        return number

    def _lock_dataset(self, conn: Connection, name: str, now: datetime) -> int:
        """The id of dataset ``name`` (created if new), locked for this transaction: concurrent imports of
        one dataset take their version numbers one after the other (SQLite: the transaction is IMMEDIATE)."""
        if self.is_sqlite:
            row = conn.execute(sa.select(datasets.c.id).where(datasets.c.name == name)).first()
            if row is not None:
                return int(row[0])
            return int(
                conn.execute(datasets.insert().values(name=name, created_at=now).returning(datasets.c.id)).scalar_one()
            )
        from sqlalchemy.dialects.postgresql import insert

        # a second import of a new name waits here for the first to commit, then finds its row
        conn.execute(insert(datasets).values(name=name, created_at=now).on_conflict_do_nothing(index_elements=["name"]))
        return int(conn.execute(sa.select(datasets.c.id).where(datasets.c.name == name).with_for_update()).scalar_one())

    def _sqlite_path(self) -> str | None:
        if self.read_only:
            return None  # the SQLAlchemy path then reports "read-only"
        path = self.engine.url.database
        return None if not path or path == ":memory:" else path

    def _write_sqlite_bulk(self, ds: Dataset, info: VersionInfo, progress: ProgressFn | None) -> int:
        """SQLite: one transaction on an ADBC connection, records ingested from Arrow.

        ADBC binds Arrow columns in C, about 2.5x faster than ``executemany``
        of Python tuples; values are stored as SQLAlchemy stores them (dates
        and timestamps as ISO text, booleans as 0/1, JSON as text).
        """
        import json

        import adbc_driver_sqlite.dbapi as adbc

        name, total, done = info.dataset, sum(info.counts.values()), 0
        stamp = info.created_at.replace(tzinfo=None).isoformat(sep=" ")
        with adbc.connect(self._sqlite_path(), autocommit=True) as conn, _python_sigint():
            try:
                with conn.cursor() as cur:
                    cur.execute("PRAGMA foreign_keys=ON")
                    cur.execute(f"PRAGMA busy_timeout={int(write_wait() * 1000)}")
                    for pragma in self.write_pragmas:
                        cur.execute(pragma)
                    # take the write lock first: a transaction that read first fails at once with
                    # "database is locked" when another import commits in between
                    cur.execute("BEGIN IMMEDIATE")
                    cur.execute("SELECT id FROM datasets WHERE name = ?", (name,))
                    row = cur.fetchone()
                    if row is None:
                        cur.execute("INSERT INTO datasets (name, created_at) VALUES (?, ?) RETURNING id", (name, stamp))
                        row = cur.fetchone()
                    dataset_id = int(row[0])  # type: ignore[index]
                    cur.execute("SELECT max(number) FROM versions WHERE dataset_id = ?", (dataset_id,))
                    last = cur.fetchone()
                    number = int((last[0] if last else None) or 0) + 1
                    cur.execute(
                        "INSERT INTO versions (dataset_id, number, created_at, note, source, fingerprint, counts, created_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        (
                            dataset_id,
                            number,
                            stamp,
                            info.note,
                            info.source,
                            info.fingerprint,
                            json.dumps(info.counts),
                            info.created_by,
                        ),
                    )
                    version_id = int(cur.fetchone()[0])  # type: ignore[index]
                    for rt in TABLES:
                        df = ds.tables[rt.name]
                        if df.height == 0:
                            continue
                        df = self._ordered(rt, version_id, df).with_columns(
                            [pl.col(f.name).dt.to_string("%Y-%m-%d") for f in rt.fields if f.type == "date"]
                            + [pl.col(f.name).cast(pl.Int64) for f in rt.fields if f.type == "bool"]
                        )
                        for start in range(0, df.height, BATCH_ROWS * 4):
                            cur.adbc_ingest(rt.name, df.slice(start, BATCH_ROWS * 4).to_arrow(), mode="append")
                            if progress:
                                progress(rt.name, done + min(start + BATCH_ROWS * 4, df.height), total)
                        done += df.height
                    _commit_whole(cur)
            except BaseException:
                with contextlib.suppress(Exception), conn.cursor() as cur:
                    cur.execute("ROLLBACK")  # SQLite may have ended the transaction itself (disk full)
                raise
        return number

    @staticmethod
    def _ordered(rt: RecordType, version_id: int, df: pl.DataFrame) -> pl.DataFrame:
        """Rows (already in key order) with ``version_id`` first."""
        return df.select(pl.lit(version_id, dtype=pl.Int64).alias("version_id"), *rt.field_names)

    def _insert_rows(self, conn: Connection, rt: RecordType, version_id: int, df: pl.DataFrame) -> Iterator[int]:
        """Any other database (SQLite in the web server): batched INSERTs through SQLAlchemy."""
        df = self._ordered(rt, version_id, df)
        insert = RECORD_TABLES[rt.name].insert()
        for start in range(0, df.height, BATCH_ROWS):
            conn.execute(insert, df.slice(start, BATCH_ROWS).to_dicts())
            yield min(start + BATCH_ROWS, df.height)

    def _copy_postgres(self, conn: Connection, rt: RecordType, version_id: int, df: pl.DataFrame) -> Iterator[int]:
        """PostgreSQL: COPY ... FROM STDIN, the primary key built after a large first load (:mod:`.postgres`)."""
        yield from postgres.copy_rows(conn, rt, self._ordered(rt, version_id, df), BATCH_ROWS)

    # ------------------------------------------------------------ reading

    def read_dataset(self, name: str, version: int | None = None) -> Dataset:
        """Dataset ``name`` at ``version`` (default: the latest)."""
        with self.engine.connect() as conn:
            version_id, number = self._version_id(conn, name, version)
            stored = conn.execute(sa.select(versions.c.fingerprint).where(versions.c.id == version_id)).scalar_one()
            frames = {}
            for rt in TABLES:
                frames[rt.name] = self._read_table(conn, rt, version_id)
        return Dataset.from_frames(name, frames, version=number, fingerprint=stored)

    def _read_table(self, conn: Connection, rt: RecordType, version_id: int) -> pl.DataFrame:
        t = RECORD_TABLES[rt.name]
        q = sa.select(*(t.c[f] for f in rt.field_names)).where(t.c.version_id == version_id)
        q = q.order_by(*(t.c[k] for k in rt.key))
        rows = conn.execute(q).all()
        schema = polars_schema(rt)
        if not rows:
            return pl.DataFrame(schema=schema)
        return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")

    # ------------------------------------------------------------ diff

    def diff(self, name: str, a: int | None = None, b: int | None = None) -> dict[str, pl.DataFrame]:
        """Records added, removed and changed from version ``a`` to ``b``.

        Defaults: ``b`` the latest, ``a`` the one before it.
        """
        if b is None:
            b = self.versions(name)[-1].version
        if a is None:
            a = b - 1
        return diff_datasets(self.read_dataset(name, a), self.read_dataset(name, b))


def _key_text(key: list[str]) -> pl.Expr:
    return pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" | ")


def diff_datasets(old: Dataset, new: Dataset) -> dict[str, pl.DataFrame]:
    """``summary`` (table, added, removed, changed) and ``changes`` (one row per record)."""
    summary = []
    details: list[pl.DataFrame] = []
    detail_schema = {"table": pl.String(), "change": pl.String(), "key": pl.String(), "fields": pl.String()}
    for name in TABLE_NAMES:
        rt = table(name)
        key = list(rt.key)
        a = old.tables[name]
        b = new.tables[name]
        added = b.join(a.select(key), on=key, how="anti")
        removed = a.join(b.select(key), on=key, how="anti")
        others = [f for f in rt.field_names if f not in key]
        both = a.join(b, on=key, how="inner", suffix="__new")
        if others:
            differs = pl.any_horizontal([pl.col(f).ne_missing(pl.col(f + "__new")) for f in others])
            changed = both.filter(differs)
        else:
            changed = both.head(0)
        summary.append((name, added.height, removed.height, changed.height))
        for frame, kind in ((added, "added"), (removed, "removed")):
            if frame.height:
                details.append(
                    frame.select(
                        pl.lit(name).alias("table"),
                        pl.lit(kind).alias("change"),
                        _key_text(key).alias("key"),
                        pl.lit("").alias("fields"),
                    )
                )
        if changed.height:
            parts = [
                pl.when(pl.col(f).ne_missing(pl.col(f + "__new")))
                .then(
                    pl.format(
                        f"{f}: {{}} → {{}}",
                        pl.col(f).cast(pl.String).fill_null("∅"),
                        pl.col(f + "__new").cast(pl.String).fill_null("∅"),
                    )
                )
                .otherwise(None)
                for f in others
            ]
            details.append(
                changed.select(
                    pl.lit(name).alias("table"),
                    pl.lit("changed").alias("change"),
                    _key_text(key).alias("key"),
                    pl.concat_str(parts, separator="; ", ignore_nulls=True).alias("fields"),
                )
            )
    return {
        "summary": pl.DataFrame(summary, schema=["table", "added", "removed", "changed"], orient="row"),
        "changes": pl.concat(details) if details else pl.DataFrame(schema=detail_schema),
    }


__all__ = ["DatasetInfo", "Store", "VersionInfo", "default_url", "diff_datasets", "metadata", "normalise_url"]
