"""Analyses as background jobs: a registry of analysis kinds and an in-process worker.

A job is a row of the ``jobs`` table (:mod:`importsub.store.accounts`):
kind, parameters, the hash of (kind, dataset fingerprint, parameters),
status ``queued → running → done | failed``, progress and the stored
result.  Submitting the same request on the same data returns the stored
job instead of computing again.  When the server starts, jobs left
``running`` by a stopped server are marked failed with the reason, and
``queued`` jobs are picked up again.

Extension point: a capability adds its analysis with :func:`register`
(an :class:`AnalysisSpec`: a parameter model and ``run(dataset, params,
progress) -> Result``); :func:`discover` registers every analysis whose
module is present in the tree.  The worker is a thread here; the Dask
machinery can take jobs from the same table later.
"""

from __future__ import annotations

import importlib
import logging
import math
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError
from importsub.store import accounts
from importsub.web.i18n import N_

log = logging.getLogger("importsub.web.jobs")

ProgressFn = Callable[[float, str | None], None]
"""progress(fraction done 0–1, message)."""


class NoParams(BaseModel):
    """An analysis without parameters."""

    model_config = ConfigDict(extra="forbid")


class NetworkParams(BaseModel):
    """Parameters of analyses on a compiled network."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = Field(default=None, max_length=200, description="Scenario whose demand changes apply")
    year: int | None = Field(default=None, ge=1900, le=2200, description="Year of demand [year]")


class LocalisationParams(NetworkParams):
    group: str = Field(
        default="union", min_length=1, max_length=100, description="Country group (or ISO2 code) counted as domestic"
    )


@dataclass(frozen=True)
class ResultTables:
    """What an analysis run hands back: named tables and the fingerprint of its inputs."""

    name: str
    tables: dict[str, pl.DataFrame]
    fingerprint: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisSpec:
    """One analysis kind the service can run.

    ``confidential[table][column] = owner site column`` and
    ``aggregates[table] = [(key column, columns, basis)]`` feed
    :func:`importsub.web.confidentiality.mask_result` (bases:
    :func:`importsub.web.confidentiality.contributors_of`).  ``arrange``
    runs on the masked tables of a non-admin viewer: it re-orders rows
    ranked by a figure the viewer may not see (and re-ranks among what they
    may see), so the order reveals nothing.
    """

    kind: str
    title: str  # marked with N_, translated when shown
    params: type[BaseModel]
    run: Callable[[Dataset, BaseModel, ProgressFn], Any]
    confidential: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    aggregates: Mapping[str, list[tuple[str, tuple[str, ...], str]]] = field(default_factory=dict)
    arrange: Callable[[dict[str, pl.DataFrame]], dict[str, pl.DataFrame]] | None = None
    charts: Mapping[str, tuple[str, str] | None] = field(default_factory=dict)
    """Bar chart of each table in reports: (label column, value column), None for none; default: guessed."""


REGISTRY: dict[str, AnalysisSpec] = {}

FANOUT: dict[str, Any] = {"scheduler": None, "workers": 0}
"""Where sweeps and Monte Carlo batches of background jobs run (:func:`importsub.distributed.map_chunks`):
an existing Dask scheduler's address, or a number of local workers (0 = in the worker thread)."""


def configure_fanout(scheduler: str | None = None, workers: int = 0) -> None:
    """Send the long analyses of this process's jobs to a Dask scheduler, or to ``workers`` local processes."""
    FANOUT["scheduler"] = scheduler or None
    FANOUT["workers"] = int(workers)


def register(spec: AnalysisSpec) -> None:
    """Make an analysis kind available to the API, the pages and the worker."""
    REGISTRY[spec.kind] = spec


# ---------------------------------------------------------------- built-in and discovered analyses


def _summary(ds: Dataset, params: BaseModel, progress: ProgressFn) -> ResultTables:
    """Record counts, vehicles per OEM and supply links by supplier country (counts, not shares)."""
    counts = pl.DataFrame({"table": list(ds.counts()), "records": list(ds.counts().values())})
    orgs = ds.organizations.select(pl.col("id").alias("organization"), pl.col("name").alias("organization name"))
    sites = ds.sites.select(pl.col("id").alias("site"), "organization", "country")
    demand = (
        ds.demand.join(sites, on="site", how="left")
        .group_by("organization", "year")
        .agg(pl.col("units").sum().alias("vehicles [units/yr]"))
        .join(orgs, on="organization", how="left")
        .select("organization", "organization name", "year", "vehicles [units/yr]")
        .sort("year", "vehicles [units/yr]", descending=[False, True])
    )
    progress(0.5, None)
    union = ds.country_groups.filter(pl.col("group") == "union")["iso2"].to_list()
    links = (
        ds.supply_links.join(
            sites.select(pl.col("site").alias("supplier"), pl.col("country").alias("supplier country")),
            on="supplier",
            how="left",
        )
        .group_by("supplier country")
        .agg(pl.len().cast(pl.Int64).alias("links"))
        .with_columns(pl.col("supplier country").is_in(union).alias("in union"))
        .sort("links", descending=True)
    )
    total = max(int(links["links"].sum() or 0), 1)
    links = links.with_columns((100.0 * pl.col("links") / total).alias("links [%]"))
    return ResultTables(
        "summary",
        {"counts": counts, "vehicles": demand, "supplier countries": links},
        {"dataset fingerprint": ds.fingerprint()},
    )


register(AnalysisSpec("summary", N_("Dataset summary"), NoParams, _summary))


def _network(ds: Dataset, params: BaseModel) -> Any:
    from importsub.compile import compile as compile_network

    p = params.model_dump()
    return compile_network(ds, scenario=p.get("scenario"), year=p.get("year"))


_NODE_FIGURES = {
    "capacity [units/yr]": "site",
    "utilisation [%]": "site",
    "output [RUB/yr]": "site",
    "value [RUB/unit]": "site",
}

# what each network analysis reveals about confidential figures, and who owns it
_CONFIDENTIAL: dict[str, dict[str, dict[str, str]]] = {
    "demand": {"nodes": _NODE_FIGURES},
    "localisation": {
        "nodes": _NODE_FIGURES,
        "entry points": {
            "units [units/yr]": "buyer",
            "imported value [RUB/yr]": "buyer",
            "share of entering imports [%]": "buyer",
        },
        "paths": {"via this link [% of vehicle value]": "vehicle site"},
        # untraced value follows from the node's output and price: the site's
        "untraced": {
            "untraced share of its value [%]": "site",
            "untraced value [RUB/yr]": "site",
            "share of untraced value [%]": "site",
        },
    },
    "concentration": {
        "buyers": {
            "HHI suppliers [0-1]": "buyer",
            "HHI countries [0-1]": "buyer",
            "imported share [%]": "buyer",
            "in-house share [%]": "buyer",
        },
        "choke points": {"supplied [units/yr]": "supplier", "share of group need [%]": "supplier"},
    },
    # a capacity pool is one site's line: its capacity and what follows from it are that site's
    "balance": {
        "pools": {
            "capacity [units/yr]": "site",
            "parts' own capacity [units/yr]": "site",
            "usable capacity [units/yr]": "site",
            "utilisation [%]": "site",
            "gap [units/yr]": "site",
            "spare [units/yr]": "site",
            "gap [RUB/yr]": "site",
        },
    },
    "matching": {
        "candidates": {
            "spare capacity [units/yr]": "candidate site",
            "current share [%]": "buyer",
            "imported share [%]": "buyer",
            "imported [units/yr]": "buyer",
        },
    },
}
# sums over the group's producers of a part (and what follows from them, given the public demand):
# shown when at least two organisations contribute
_BALANCE_FIGURES = (
    "capacity (existing) [units/yr]",
    "in pools [units/yr]",
    "capacity (projects) [units/yr]",
    "capacity [units/yr]",
    "self-sufficiency [%]",
    "gap [units/yr]",
    "gap [RUB/yr]",
    "export surplus [units/yr]",
    "export surplus [RUB/yr]",
)
_IMPORT_FIGURES = (
    "imported [units/yr]",
    "imported [RUB/yr]",
    "import dependence [%]",
    "HHI import origins [0-1]",
    "main origin",
    "main origin share [%]",
    "spare / imported [%]",
)
_AGGREGATES: dict[str, dict[str, list[tuple[str, tuple[str, ...], str]]]] = {
    "balance": {"parts": [("part", _BALANCE_FIGURES, "producers")]},
    "concentration": {
        "strategic": [
            ("part", ("group spare capacity [units/yr]", "producers with spare capacity"), "producers"),
            ("part", _IMPORT_FIGURES, "buyers"),
        ],
        "choke points": [("part", ("group need [units/yr]",), "buyers")],
    },
    "matching": {
        "parts": [
            ("part", ("same-part spare [units/yr]", "spare / imported [%]"), "producers"),
            ("part", _IMPORT_FIGURES, "buyers"),
        ],
        "no candidate": [("part", _IMPORT_FIGURES, "buyers")],
    },
}

_NETWORK_ANALYSES: dict[str, tuple[str, str, type[BaseModel]]] = {
    # kind: (function name, title, parameters)
    "demand": ("derived_demand", N_("Derived demand"), NetworkParams),
    "localisation": ("localisation", N_("Localisation (import content)"), LocalisationParams),
    "concentration": ("concentration", N_("Concentration and choke points"), LocalisationParams),
    "balance": ("balance", N_("Demand–capacity balance"), LocalisationParams),
    "matching": ("matching", N_("Substitution matching"), LocalisationParams),
}


def discover() -> None:
    """Register every analysis the service runs as a job (each capability's own web module
    registers its kinds: shocks, sweeps and Monte Carlo; programme, projects and portfolio)."""
    from importsub.web import programme, shocks

    for kind, (func_name, title, params) in _NETWORK_ANALYSES.items():
        module = importlib.import_module(f"importsub.analysis.{kind}")
        register(
            AnalysisSpec(
                kind,
                title,
                params,
                _network_runner(getattr(module, func_name), params),
                confidential=_CONFIDENTIAL.get(kind, {}),
                aggregates=_AGGREGATES.get(kind, {}),
            )
        )
    shocks.register_all()
    programme.register_all()


def _network_runner(
    func: Callable[..., Any], params_model: type[BaseModel]
) -> Callable[[Dataset, BaseModel, ProgressFn], Any]:
    def run(ds: Dataset, params: BaseModel, progress: ProgressFn) -> Any:
        net = _network(ds, params)
        progress(0.5, None)
        extra = {"group": params.group} if "group" in params_model.model_fields else {}  # type: ignore[attr-defined]
        return func(net, **extra)

    return run


# ---------------------------------------------------------------- results as JSON


def _cell(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, date | datetime):
        return v.isoformat()
    return v


def result_to_json(result: Any) -> dict[str, Any]:
    """A Result (name, tables, fingerprint) as JSON-able data, column types kept."""
    tables = {}
    for name, df in result.tables.items():
        tables[name] = {
            "columns": df.columns,
            "dtypes": [str(t) for t in df.dtypes],
            "rows": [[_cell(v) for v in row] for row in df.iter_rows()],
        }
    fp = result.fingerprint if isinstance(result.fingerprint, dict) else {"fingerprint": str(result.fingerprint)}
    return {
        "name": result.name,
        "fingerprint": {k: _cell(v) if not isinstance(v, dict | list) else v for k, v in fp.items()},
        "tables": tables,
    }


_DTYPES = {
    "Float64": pl.Float64,
    "Float32": pl.Float32,
    "Int64": pl.Int64,
    "Int32": pl.Int32,
    "UInt32": pl.UInt32,
    "UInt64": pl.UInt64,
    "Boolean": pl.Boolean,
    "String": pl.String,
    "Date": pl.Date,
}


def result_tables(doc: Mapping[str, Any]) -> dict[str, pl.DataFrame]:
    """The tables of a stored result as polars DataFrames."""
    out = {}
    for name, t in doc.get("tables", {}).items():
        schema = {c: _DTYPES.get(d.split("(")[0], pl.String)() for c, d in zip(t["columns"], t["dtypes"], strict=True)}
        rows = [
            [str(v) if schema[c] == pl.String() and v is not None else v for c, v in zip(t["columns"], r, strict=True)]
            for r in t["rows"]
        ]
        if schema and any(isinstance(dt, pl.Date) for dt in schema.values()):
            str_schema = {c: (pl.String() if isinstance(dt, pl.Date) else dt) for c, dt in schema.items()}
            df = pl.DataFrame(rows, schema=str_schema, orient="row")
            df = df.with_columns(pl.col(c).str.to_date() for c, dt in schema.items() if isinstance(dt, pl.Date))
        else:
            df = pl.DataFrame(rows, schema=schema, orient="row")
        out[name] = df
    return out


# ---------------------------------------------------------------- submitting and running


class JobRunner:
    """Submits jobs and runs them on a worker thread.

    Parameters
    ----------
    engine : Engine
        The store's engine (jobs table).
    load : callable
        ``load(dataset_name, version) -> Dataset``: the full (unmasked) dataset.
    poll_seconds : float
        How often an idle worker looks for queued jobs [s].
    """

    def __init__(self, engine: Engine, load: Callable[[str, int | None], Dataset], poll_seconds: float = 0.5) -> None:
        self.engine = engine
        self.load = load
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------- life cycle

    def recover(self) -> tuple[int, int]:
        """Fail jobs a stopped server left running; keep queued ones for the worker."""
        with self.engine.begin() as conn:
            failed, queued = accounts.recover_jobs(conn)
        if failed or queued:
            log.warning("jobs after restart: %d running marked failed, %d queued resume", failed, queued)
        return failed, queued

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="importsub-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_next()
            except Exception:  # keep the worker alive whatever a job does
                log.exception("job worker error")
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    # -------------------------------------------------------- API

    def submit(
        self, *, kind: str, dataset: str, version: int, fingerprint: str, params: BaseModel, user_id: int | None
    ) -> tuple[accounts.Job, bool]:
        """Queue a job, or return the stored one for the same inputs; (job, reused)."""
        doc = params.model_dump(mode="json")
        key = accounts.input_hash(kind=kind, fingerprint=fingerprint, params=doc)
        with self.engine.begin() as conn:
            existing = accounts.find_job(conn, input_hash=key)
            if existing is not None:
                return existing, True
            job = accounts.create_job(
                conn, kind=kind, params=doc, input_hash=key, dataset=dataset, version=version, created_by=user_id
            )
        self._wake.set()
        return job, False

    def run_next(self) -> bool:
        """Claim and run one queued job in this thread; False if none was queued."""
        with self.engine.begin() as conn:
            job = accounts.claim_next_job(conn)
        if job is None:
            return False
        self._run(job)
        return True

    def _run(self, job: accounts.Job) -> None:
        last = [0.0]

        def progress(fraction: float, message: str | None = None) -> None:
            t = time.monotonic()
            if t - last[0] < 0.25 and fraction < 1.0:
                return
            last[0] = t
            with self.engine.begin() as conn:
                accounts.set_job_progress(conn, job_id=job.id, progress=fraction, message=message)

        try:
            spec = REGISTRY.get(job.kind)
            if spec is None:
                raise ImportsubError(f"unknown analysis kind {job.kind!r}")
            params = spec.params.model_validate(job.params)
            ds = self.load(job.dataset or "", job.version)
            result = spec.run(ds, params, progress)
            doc = result_to_json(result)
            doc["fingerprint"] = {
                "dataset": job.dataset,
                "version": job.version,
                **doc["fingerprint"],
                "params": job.params,
            }
        except ImportsubError as exc:
            with self.engine.begin() as conn:
                accounts.fail_job(conn, job_id=job.id, error=str(exc))
            return
        except Exception as exc:
            log.error("job %s failed:\n%s", job.id, traceback.format_exc())
            with self.engine.begin() as conn:
                accounts.fail_job(conn, job_id=job.id, error=f"{type(exc).__name__}: {exc}")
            return
        with self.engine.begin() as conn:
            accounts.finish_job(conn, job_id=job.id, result=doc)

    def wait(self, job_id: int, timeout: float = 30.0) -> accounts.Job:
        """Block until a job is done or failed (for tests and scripts)."""
        end = time.monotonic() + timeout
        while True:
            with self.engine.connect() as conn:
                job = accounts.get_job(conn, job_id=job_id)
            assert job is not None
            if job.status in ("done", "failed") or time.monotonic() > end:
                return job
            time.sleep(0.05)
