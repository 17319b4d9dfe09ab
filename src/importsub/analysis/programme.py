"""Programme tracking: milestones, readiness, status, capacity online, capex, editing history.

Pure functions on a :class:`~importsub.model.dataset.Dataset` (no store
access: the editing history takes the store's version list and a diff
function from the caller).

Definitions (also in every result's fingerprint under ``definitions``)
----------------------------------------------------------------------
* **Milestone state** as of a date ``D``: ``done on time`` (done ≤ due),
  ``done late`` (done > due), ``overdue`` (not done, due < D), ``open``
  (not done, due ≥ D).  ``slip [days]`` = done − due for a done milestone,
  D − due for an overdue one, else 0 (never negative).
* **Capacity plan** of year Y [units/yr] = target × ramp-up fraction of Y
  (latest ramp-up row with year ≤ Y).  **Online** = the plan of projects
  whose status is ``ramp-up`` or ``operating``; a project in any other
  status (planned, financing, construction, halted) has nothing online,
  and a project with no host site has nothing online either.
* **Capex committed** = capex of projects past financing (status
  construction, ramp-up, operating or halted).  **Capex spent** (an
  estimate, no payment records are kept) = committed capex × the share of
  the project's milestones done as of D; an operating project counts as
  fully spent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from importsub.analysis.projects import rampup_fraction
from importsub.analysis.result import Result
from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError
from importsub.model.messages import said, why
from importsub.model.schema import PROJECT_STATUSES

PRODUCING = ("ramp-up", "operating")
COMMITTED = ("construction", "ramp-up", "operating", "halted")
PROJECT_TABLES = (
    "projects",
    "project_partners",
    "project_outputs",
    "project_rampup",
    "milestones",
    "project_substitutes",
)

DEFINITIONS = {
    "milestone state": "done on time (done ≤ due), done late, overdue (not done, due before the as-of date), open",
    "slip [days]": "done − due if done; as-of − due if overdue; else 0",
    "capacity plan": "target × ramp-up fraction of the year",
    "capacity online": "plan of projects in status ramp-up or operating (and with a host site); 0 otherwise",
    "capex committed": "capex of projects in status construction, ramp-up, operating or halted",
    "capex spent": "estimate: committed capex × share of milestones done (operating: all of it)",
}


def _as_of(as_of: dt.date | None) -> dt.date:
    return as_of if as_of is not None else dt.date.today()


def _fp(ds: Dataset, as_of: dt.date, **extra: Any) -> dict[str, Any]:
    return {
        "dataset": ds.name,
        "version": ds.version,
        "as of": as_of.isoformat(),
        **extra,
        "definitions": DEFINITIONS,
    }


def milestones(dataset: Dataset, as_of: dt.date | None = None) -> pl.DataFrame:
    """Every milestone with its state and slip as of a date (default today).

    Columns: ``project``, ``milestone``, ``due``, ``done``, ``state``,
    ``slip [days]`` (see the module docstring).

    Examples
    --------
    >>> import datetime as dt
    >>> from importsub import demo
    >>> m = milestones(demo.load(), dt.date(2025, 1, 1))
    >>> m.filter(m["milestone"] == "Host site chosen")["state"].to_list()
    ['overdue']
    """
    d = _as_of(as_of)
    m = dataset.milestones
    return (
        m.select(
            "project",
            pl.col("name").alias("milestone"),
            "due",
            "done",
        )
        .with_columns(
            pl.when(pl.col("done").is_not_null() & (pl.col("done") <= pl.col("due")))
            .then(pl.lit("done on time"))
            .when(pl.col("done").is_not_null())
            .then(pl.lit("done late"))
            .when(pl.col("due") < pl.lit(d))
            .then(pl.lit("overdue"))
            .otherwise(pl.lit("open"))
            .alias("state"),
            pl.when(pl.col("done").is_not_null())
            .then((pl.col("done") - pl.col("due")).dt.total_days())
            .otherwise((pl.lit(d) - pl.col("due")).dt.total_days())
            .clip(lower_bound=0)
            .cast(pl.Int64)
            .alias("slip [days]"),
        )
        .sort("project", "due", "milestone")
    )


def _capacity_plan(ds: Dataset, year: int) -> pl.DataFrame:
    """Per project and output part: plan and online capacity of ``year`` [units/yr]."""
    frac = rampup_fraction(ds, year)
    proj = ds.projects.select("id", "status", "host_site")
    out = ds.project_outputs.join(proj, left_on="project", right_on="id", how="left")
    return (
        out.select(
            "project",
            "part",
            pl.col("capacity").alias("target [units/yr]"),
            pl.col("project").replace_strict(frac, default=0.0, return_dtype=pl.Float64).alias("ramp-up [fraction]"),
            "status",
            "host_site",
        )
        .with_columns(
            (pl.col("target [units/yr]") * pl.col("ramp-up [fraction]")).alias("plan [units/yr]"),
        )
        .with_columns(
            pl.when(pl.col("status").is_in(PRODUCING) & pl.col("host_site").is_not_null())
            .then(pl.col("plan [units/yr]"))
            .otherwise(0.0)
            .alias("online [units/yr]")
        )
    )


def _milestone_counts(ms: pl.DataFrame) -> pl.DataFrame:
    return ms.group_by("project").agg(
        pl.len().alias("milestones"),
        pl.col("done").is_not_null().sum().cast(pl.Int64).alias("done"),
        (pl.col("state") == "overdue").sum().cast(pl.Int64).alias("overdue"),
        (pl.col("slip [days]") > 0).sum().cast(pl.Int64).alias("slipped"),
        pl.col("slip [days]").max().alias("max slip [days]"),
    )


def _next_milestone(ms: pl.DataFrame) -> pl.DataFrame:
    return (
        ms.filter(pl.col("done").is_null())
        .sort("due")
        .group_by("project", maintain_order=True)
        .agg(pl.col("milestone").first().alias("next milestone"), pl.col("due").first().alias("next due"))
    )


def _capex(ds: Dataset, counts: pl.DataFrame) -> pl.DataFrame:
    """Per project: capex, committed and spent [RUB] (definitions in the module docstring)."""
    return (
        ds.projects.select(pl.col("id").alias("project"), "status", pl.col("capex").fill_null(0.0).alias("capex [RUB]"))
        .join(counts.select("project", "milestones", "done"), on="project", how="left")
        .with_columns(
            pl.when(pl.col("status").is_in(COMMITTED))
            .then(pl.col("capex [RUB]"))
            .otherwise(0.0)
            .alias("committed [RUB]"),
        )
        .with_columns(
            pl.when(pl.col("status") == "operating")
            .then(pl.col("committed [RUB]"))
            .when(pl.col("milestones").fill_null(0) > 0)
            .then(pl.col("committed [RUB]") * pl.col("done").fill_null(0) / pl.col("milestones"))
            .otherwise(0.0)
            .alias("spent [RUB]")
        )
        .select("project", "capex [RUB]", "committed [RUB]", "spent [RUB]")
    )


def project_list(dataset: Dataset, as_of: dt.date | None = None, year: int | None = None) -> Result:
    """One row per project: status, MRL, host site (country, lat, lon), partners and their
    countries, capex, milestones done/overdue/slipped, next milestone, capacity plan and
    online in ``year`` [units/yr] (default: the as-of date's year)."""
    ds = dataset
    d = _as_of(as_of)
    year = d.year if year is None else year
    ms = milestones(ds, d)
    counts = _milestone_counts(ms)
    cap = (
        _capacity_plan(ds, year)
        .group_by("project")
        .agg(pl.col("plan [units/yr]").sum(), pl.col("online [units/yr]").sum())
    )
    orgs = ds.organizations.select(pl.col("id").alias("organization"), pl.col("country").alias("org country"))
    partners = (
        ds.project_partners.join(orgs, on="organization", how="left")
        .group_by("project")
        .agg(
            pl.concat_str([pl.col("organization"), pl.lit(" ("), pl.col("org country"), pl.lit(")")])
            .sort()
            .str.join(", ")
            .alias("partners"),
            pl.col("org country").unique().sort().str.join(", ").alias("partner countries"),
        )
    )
    sites = ds.sites.select(
        pl.col("id").alias("host_site"),
        pl.col("country").alias("host country"),
        pl.col("region").alias("host region"),
        pl.col("lat").alias("lat [°]"),
        pl.col("lon").alias("lon [°]"),
    )
    base = ds.projects.select(
        pl.col("id").alias("project"),
        "name",
        "name_local",
        "status",
        pl.col("mrl").alias("MRL"),
        "host_site",
        pl.col("start").alias("start [year]"),
        pl.col("capex").alias("capex [RUB]"),
        pl.col("opex").alias("opex [RUB/yr]"),
        pl.col("max_scale").alias("max scale [×]"),
    )
    table = (
        base.join(sites, on="host_site", how="left")
        .join(partners, on="project", how="left")
        .join(counts, on="project", how="left")
        .join(_next_milestone(ms), on="project", how="left")
        .join(cap, on="project", how="left")
        .with_columns(
            pl.col("milestones", "done", "overdue", "slipped", "max slip [days]").fill_null(0),
            pl.col("plan [units/yr]", "online [units/yr]").fill_null(0.0),
        )
        .rename({"host_site": "host site", "plan [units/yr]": f"plan {year} [units/yr]"})
        .rename({"online [units/yr]": f"online {year} [units/yr]"})
    )
    return Result("projects", {"projects": table}, _fp(ds, d, year=year, analysis="project list"))


def project_card(
    dataset: Dataset,
    project: str,
    as_of: dt.date | None = None,
    *,
    history: pl.DataFrame | None = None,
) -> Result:
    """Everything about one project: record, host site (map position), partners (with their
    countries), outputs with the ramp-up curve (capacity per year [units/yr]), milestones with
    slip, substitutable links, and (when given) its editing history."""
    ds = dataset
    d = _as_of(as_of)
    known = ds.projects.get_column("id").to_list()
    if project not in known:
        raise NotFoundError(f"dataset {ds.name!r}: no project {project!r}; projects: {', '.join(known) or 'none'}")
    info = project_list(ds, d)["projects"].filter(pl.col("project") == project)
    record = pl.DataFrame(
        {
            "field": info.columns,
            "value": [("" if v is None else str(v)) for v in info.row(0)],
        }
    )
    orgs = ds.organizations.select(pl.col("id").alias("organization"), "name", "name_local", "country", "kind")
    partners = ds.project_partners.filter(pl.col("project") == project).join(orgs, on="organization", how="left")
    ru = ds.project_rampup.filter(pl.col("project") == project).sort("year")
    outs = ds.project_outputs.filter(pl.col("project") == project).select("part", pl.col("capacity").alias("target"))
    curve = (
        ru.join(outs, how="cross")
        .select(
            "year",
            "part",
            pl.col("fraction").alias("ramp-up [fraction]"),
            (pl.col("fraction") * pl.col("target")).alias("capacity [units/yr]"),
        )
        .sort("part", "year")
    )
    parts = ds.parts.select(pl.col("id").alias("part"), pl.col("name").alias("part name"), "category", "unit")
    outputs = (
        ds.project_outputs.filter(pl.col("project") == project)
        .join(parts, on="part", how="left")
        .select("part", "part name", "category", pl.col("capacity").alias("target [units/yr]"), "unit", "source")
    )
    site_country = ds.sites.select(pl.col("id").alias("supplier"), pl.col("country").alias("supplier country"))
    subs = (
        ds.project_substitutes.filter(pl.col("project") == project)
        .join(
            ds.supply_links.select("buyer", "part", "supplier", "share"), on=["buyer", "part", "supplier"], how="left"
        )
        .join(site_country, on="supplier", how="left")
        .select("buyer", "part", "supplier", "supplier country", pl.col("share").alias("share [fraction]"))
    )
    tables = {
        "project": record,
        "partners": partners.select("organization", "name", "name_local", "country", "kind", "role"),
        "outputs": outputs,
        "ramp-up": curve,
        "milestones": milestones(ds, d).filter(pl.col("project") == project).drop("project"),
        "substitutes": subs,
    }
    if history is not None:
        tables["history"] = history
    return Result("project", tables, _fp(ds, d, project=project, analysis="project card"))


def programme_size_of(dataset: Dataset) -> int | None:
    """Projects in the whole programme [projects], from the dataset's ``programme`` records.

    The total ``size`` of its ``programme`` rows (a dataset normally holds one); None when it
    has none (the caller then counts the projects in the dataset).  Being a record, the size
    travels with the data through export and import under any name.

    Examples
    --------
    >>> from importsub import demo
    >>> programme_size_of(demo.load())
    14
    """
    sizes = dataset.programme.get_column("size").drop_nulls()
    return int(sizes.sum()) if sizes.len() else None


def programme_summary(
    dataset: Dataset,
    as_of: dt.date | None = None,
    year: int | None = None,
    *,
    programme_size: int | None = None,
) -> Result:
    """The programme at a glance.

    Tables:

    * ``status`` — projects in each status (every status listed), plus
      ``not public`` = programme size − projects in the dataset; the
      ``programme`` row says "4 of 14 public";
    * ``readiness`` — projects per MRL 1–10;
    * ``milestones`` — counts of each milestone state and total slip [days];
    * ``capacity`` — per project and part: plan and online capacity of
      ``year`` [units/yr] (definitions in the module docstring), and totals;
    * ``capex`` — per project and in total: capex, committed, spent [RUB].

    Parameters
    ----------
    programme_size : int, optional
        Projects in the whole programme; default the dataset's ``programme``
        record (:func:`programme_size_of`), else the number of projects in the dataset.
    """
    ds = dataset
    d = _as_of(as_of)
    year = d.year if year is None else year
    n = ds.projects.height
    size = programme_size if programme_size is not None else programme_size_of(ds)
    size = int(size) if size is not None else n
    size = max(size, n)
    counts = ds.projects.group_by("status").agg(pl.len().cast(pl.Int64).alias("projects"))
    status = pl.DataFrame({"status": list(PROJECT_STATUSES)}).join(counts, on="status", how="left").fill_null(0)
    status = pl.concat(
        [
            status,
            pl.DataFrame({"status": ["not public"], "projects": [size - n]}, schema=status.schema),
            pl.DataFrame({"status": ["programme"], "projects": [size]}, schema=status.schema),
        ]
    )
    # "4 of 14 public" in English, with its message id and parameters for a page in another language
    notes = {"programme": why("programme public", n=n, size=size), "not public": why("projects not public")}
    said_rows = [said("note", notes.get(state)) for state in status.get_column("status").to_list()]
    status = status.with_columns(
        pl.Series("note", [r["note"] or "" for r in said_rows], dtype=pl.String),
        pl.Series("note id", [r["note id"] for r in said_rows], dtype=pl.String),
        pl.Series("note args", [r["note args"] for r in said_rows], dtype=pl.String),
    )
    mrl = (
        pl.DataFrame({"MRL": list(range(1, 11))}, schema={"MRL": pl.Int64})
        .join(
            ds.projects.group_by("mrl").agg(
                pl.len().cast(pl.Int64).alias("projects"), pl.col("id").sort().str.join(", ").alias("ids")
            ),
            left_on="MRL",
            right_on="mrl",
            how="left",
        )
        .with_columns(pl.col("projects").fill_null(0), pl.col("ids").fill_null(""))
    )
    unknown_mrl = ds.projects.filter(pl.col("mrl").is_null()).height
    if unknown_mrl:
        mrl = pl.concat(
            [
                mrl.with_columns(pl.col("MRL").cast(pl.String)),
                pl.DataFrame({"MRL": ["unknown"], "projects": [unknown_mrl], "ids": [""]}).cast({"projects": pl.Int64}),
            ]
        )
    ms = milestones(ds, d)
    states = ("done on time", "done late", "overdue", "open")
    ms_table = (
        pl.DataFrame({"state": list(states)})
        .join(
            ms.group_by("state").agg(
                pl.len().cast(pl.Int64).alias("milestones"), pl.col("slip [days]").sum().alias("slip [days]")
            ),
            on="state",
            how="left",
        )
        .with_columns(pl.col("milestones", "slip [days]").fill_null(0))
    )
    cap = _capacity_plan(ds, year).select(
        "project", "part", "status", "target [units/yr]", "ramp-up [fraction]", "plan [units/yr]", "online [units/yr]"
    )
    cap_total = pl.DataFrame(
        {
            "project": ["total"],
            "part": [""],
            "status": [""],
            "target [units/yr]": [float(cap.get_column("target [units/yr]").sum())],
            "ramp-up [fraction]": [None],
            "plan [units/yr]": [float(cap.get_column("plan [units/yr]").sum())],
            "online [units/yr]": [float(cap.get_column("online [units/yr]").sum())],
        },
        schema=cap.schema,
    )
    capex = _capex(ds, _milestone_counts(ms))
    capex_total = pl.DataFrame(
        {
            "project": ["total"],
            **{c: [float(capex.get_column(c).sum())] for c in ("capex [RUB]", "committed [RUB]", "spent [RUB]")},
        }
    )
    tables = {
        "status": status,
        "readiness": mrl,
        "milestones": ms_table,
        "capacity": pl.concat([cap, cap_total]),
        "capex": pl.concat([capex, capex_total]),
    }
    return Result("programme", tables, _fp(ds, d, year=year, programme_size=size, analysis="programme summary"))


def history(
    versions: Sequence[Any],
    diff: Callable[[int, int], Mapping[str, pl.DataFrame]],
    *,
    project: str | None = None,
    last: int | None = 20,
) -> pl.DataFrame:
    """Who changed which project record, and when: the store's versions and their diffs.

    Parameters
    ----------
    versions : sequence
        Version records, oldest first, with attributes ``version``,
        ``created_at``, ``created_by`` and ``note`` (``Store.versions(name)``).
    diff : callable
        ``diff(a, b)`` → ``{"changes": DataFrame(table, change, key, fields)}``
        (``Store.diff(name, a, b)``).
    project : str, optional
        Only changes of this project's records (keys start with its id).
    last : int, optional
        Only the last ``last`` versions (each needs a diff of two versions).

    Returns
    -------
    pl.DataFrame
        ``version``, ``when``, ``who``, ``note``, ``table``, ``change``
        (added, removed, changed, created), ``key``, ``fields``
        (``field: old → new; …``).  A readiness (MRL) or status change shows
        as ``mrl: 5 → 6`` in ``fields``.
    """
    schema: dict[str, Any] = {
        "version": pl.Int64,
        "when": pl.Datetime("us", "UTC"),
        "who": pl.String,
        "note": pl.String,
        "table": pl.String,
        "change": pl.String,
        "key": pl.String,
        "fields": pl.String,
    }
    vs = list(versions)
    if last is not None:
        vs = vs[-(last + 1) :]
    frames: list[pl.DataFrame] = []
    prev = None
    for v in vs:
        when = v.created_at
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        meta = {"version": v.version, "when": when, "who": v.created_by, "note": v.note}
        if prev is None:
            if v.version == 1:
                frames.append(
                    pl.DataFrame([{**meta, "table": "", "change": "created", "key": "", "fields": ""}], schema=schema)
                )
            prev = v
            continue
        changes = diff(prev.version, v.version)["changes"]
        changes = changes.filter(pl.col("table").is_in(PROJECT_TABLES))
        if project is not None:
            changes = changes.filter((pl.col("key") == project) | pl.col("key").str.starts_with(project + " | "))
        if changes.height:
            frames.append(
                changes.select(
                    pl.lit(v.version, dtype=pl.Int64).alias("version"),
                    pl.lit(when, dtype=schema["when"]).alias("when"),
                    pl.lit(v.created_by, dtype=pl.String).alias("who"),
                    pl.lit(v.note, dtype=pl.String).alias("note"),
                    "table",
                    "change",
                    "key",
                    "fields",
                )
            )
        prev = v
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames).sort("version", "table", "key", descending=[True, False, False])
