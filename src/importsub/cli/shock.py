"""``importsub shock run|sweep|tts|montecarlo|simulate`` and ``importsub scenario list|show|copy|set|compare``.

Thin: every command reads a dataset version from the store, compiles it and
calls :mod:`importsub.analysis.disruption` / :mod:`importsub.analysis.montecarlo`.
Progress bars and messages go to stderr; stdout carries only the result
(solver output is silenced), so ``--format json|csv`` can be piped.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import polars as pl
import typer

from importsub.analysis.result import Result
from importsub.cli.common import (
    DEFAULT_DATASET,
    DatasetOption,
    DbOption,
    FormatOption,
    OutOption,
    ScenarioOption,
    TableOption,
    VersionOption,
    WideOption,
    command_group,
    emit_result,
    err,
    open_store,
    progress,
    status,
)
from importsub.compile.network import Network
from importsub.model.dataset import Dataset
from importsub.model.errors import ImportsubError, NotFoundError
from importsub.model.schema import RECOVERY_PROFILES, TARGET_KINDS
from importsub.reports.tables import emit

YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        "-y",
        help="Year of demand (default: the scenario's, else the latest year with demand not after the current year).",
    ),
]
SchedulerOption = Annotated[
    str | None, typer.Option("--scheduler", help="Address of a Dask scheduler (tcp://host:8786) to fan out to.")
]
BacklogOption = Annotated[
    float,
    typer.Option(
        "--backlog",
        min=0.0,
        max=1.0,
        help="Share of unmet demand [fraction 0–1] that waits and may be served in later periods of the window "
        "(default 0: lost sales).",
    ),
]
WorkersOption = Annotated[
    int, typer.Option("--workers", help="Without --scheduler: 0/1 = in this process, N ≥ 2 = a local Dask cluster.")
]
PolicyOption = Annotated[
    str, typer.Option("--policy", help="Stock policy of the simulation: base-stock or order-up-to.")
]
TargetWeeksOption = Annotated[
    float, typer.Option("--target-weeks", min=0.0, max=104.0, help="Target stock [weeks of normal use].")
]
RationingOption = Annotated[
    str,
    typer.Option(
        "--rationing", help="How a short supplier shares its output: proportional, priority or smaller-first."
    ),
]
RecoveryOption = Annotated[
    str | None,
    typer.Option(
        "--recovery",
        help="Recovery curve over each hit node's time to recover: linear, convex, concave or instant "
        "(default: the scenario's own recovery).",
    ),
]


# ---------------------------------------------------------------- helpers


def _load(db: str | None, dataset: str, version: int | None) -> Dataset:
    with status(f"reading {dataset} from the store"):
        return open_store(db).read_dataset(dataset, version)  # type: ignore[no-any-return]


def _compile(ds: Dataset, scenario: str | None, year: int | None) -> Network:
    from importsub.compile import compile

    with status(f"compiling {ds.name} ({ds.sites.height:,} sites, {ds.supply_links.height:,} links)"):
        return compile(ds, scenario, year)


@contextmanager
def _bar(label: str) -> Iterator[Callable[..., None]]:
    """A progress callback ``(done, total)`` or ``(stage, done, total)`` drawing a rich bar on stderr."""
    with progress() as bar:
        tasks: dict[str, Any] = {}

        def tick(*args: Any) -> None:
            stage, done, total = (label, *args) if len(args) == 2 else args
            if stage not in tasks:
                tasks[stage] = bar.add_task(str(stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield tick


def _fp(ds: Dataset) -> dict[str, Any]:
    return {"dataset": ds.name, "version": ds.version}


def _scenario_row(ds: Dataset, name: str) -> pl.DataFrame:
    row = ds.scenarios.filter(pl.col("name") == name)
    if row.height == 0:
        known = ", ".join(ds.scenarios.get_column("name").to_list()) or "none"
        raise NotFoundError(f"no scenario {name!r} in dataset {ds.name!r}; scenarios: {known}")
    return row


def _check_target(ds: Dataset, kind: str, target: str) -> None:
    """A disruption target must name a record of the dataset (links: buyer|part|supplier)."""
    if kind not in TARGET_KINDS:
        raise ImportsubError(f"unknown target kind {kind!r}; kinds: {', '.join(TARGET_KINDS)}")
    where = {
        "group": (ds.country_groups, "group"),
        "country": (ds.countries, "iso2"),
        "organization": (ds.organizations, "id"),
        "site": (ds.sites, "id"),
        "part": (ds.parts, "id"),
    }
    if kind == "link":
        pieces = [p.strip() for p in target.split("|")]
        if len(pieces) != 3:
            raise ImportsubError(f"a link target is written buyer|part|supplier, not {target!r}")
        b, p, s = pieces
        hit = ds.supply_links.filter((pl.col("buyer") == b) & (pl.col("part") == p) & (pl.col("supplier") == s))
        if hit.height == 0:
            raise ImportsubError(f"no supply link {b} ← {s} of part {p} in dataset {ds.name!r}")
        return
    frame, col = where[kind]
    if target not in frame.get_column(col).to_list():
        raise ImportsubError(f"unknown {kind} {target!r} in dataset {ds.name!r}")


def _parse_disruption(text: str) -> dict[str, Any]:
    """``KIND:TARGET:SEVERITY:WEEKS[:RECOVERY]`` → a disruptions row (without scenario)."""
    pieces = text.split(":")
    if len(pieces) not in (4, 5):
        raise ImportsubError(f"--disrupt takes KIND:TARGET:SEVERITY:WEEKS[:RECOVERY], not {text!r}")
    kind, target, sev, weeks = pieces[:4]
    recovery = pieces[4] if len(pieces) == 5 else "instant"
    try:
        s, w = float(sev), float(weeks)
    except ValueError:
        raise ImportsubError(f"--disrupt {text!r}: severity and weeks must be numbers") from None
    if not 0 <= s <= 1 or w < 0:
        raise ImportsubError(f"--disrupt {text!r}: severity in [0, 1], weeks ≥ 0")
    if recovery not in RECOVERY_PROFILES:
        raise ImportsubError(f"--disrupt {text!r}: recovery is one of {', '.join(RECOVERY_PROFILES)}")
    return {"target_kind": kind, "target": target, "severity": s, "duration": w, "recovery": recovery}


def _write(db: str | None, ds: Dataset, note: str) -> None:
    from importsub.model.validate import check

    checked = check(Dataset.from_frames(ds.name, dict(ds.tables)))
    info = open_store(db).write_dataset(checked, name=ds.name, note=note, created_by=_user())
    err.print(f"wrote {ds.name} version {info.version}: {note}")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


# ---------------------------------------------------------------- commands


shock = command_group(
    help="Disruption impact: TTR model of a scenario, risk-exposure sweep, time to survive, Monte Carlo.",
    no_args_is_help=True,
)
scenario = command_group(help="Scenarios of a dataset: list, show, copy, edit, compare.", no_args_is_help=True)


@shock.command("run")
def run_(
    name: Annotated[str, typer.Argument(help="Scenario name (its disruptions, demand changes and year apply).")],
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: YearOption = None,
    weeks: Annotated[
        float | None,
        typer.Option(
            help="Window [weeks] (default: longest disruption + recovery; 13 weeks for a scenario that disrupts nothing)."
        ),
    ] = None,
    why: Annotated[int, typer.Option(help="Binding constraints listed.")] = 20,
    backlog: BacklogOption = 0.0,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Lost units and margin per vehicle and OEM under a scenario, and why (binding constraints)."""
    from importsub.analysis.disruption import run_shock
    from importsub.compile.shock import compile_shock

    ds = _load(db, dataset, version)
    net = _compile(ds, name, year)
    sh = compile_shock(ds, net, name)
    with status(f"solving the TTR model of {name}"):
        result = run_shock(net, sh, weeks, why=why, backlog=backlog)
    emit_result(result, fmt, out, table, wide=wide)


@shock.command("sweep")
def sweep_(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: YearOption = None,
    scenario_: ScenarioOption = None,
    by: Annotated[str, typer.Option("--by", help="Disrupt every node, site or country in turn.")] = "node",
    weeks: Annotated[
        float | None, typer.Option(help="Duration [weeks] (default: each node's time to recover).")
    ] = None,
    severity: Annotated[float, typer.Option(help="Fraction of capacity lost.")] = 1.0,
    screen: Annotated[
        bool, typer.Option(help="Settle targets by the propagation bound where it proves zero impact.")
    ] = True,
    with_tts: Annotated[bool, typer.Option("--tts", help="Also compute each target's time to survive (slow).")] = False,
    horizon: Annotated[float, typer.Option(help="TTS cap [weeks].")] = 52.0,
    backlog: BacklogOption = 0.0,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 0,
    top: Annotated[int, typer.Option(help="Rows shown in the terminal table.")] = 40,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Risk exposure: disrupt every node (site, country) for its time to recover; PI, REI, ranked."""
    from importsub.analysis.disruption import sweep

    ds = _load(db, dataset, version)
    net = _compile(ds, scenario_, year)
    with _bar("sweep") as tick:
        result = sweep(
            net,
            by,
            weeks=weeks,
            severity=severity,
            screen=screen,
            with_tts=with_tts,
            horizon=horizon,
            scheduler=scheduler,
            workers=workers,
            progress=tick,
            backlog=backlog,
        )
    if fmt == "table" and not table:
        result = Result(result.name, {**result.tables, "targets": result["targets"].head(top)}, result.fingerprint)
    emit_result(result, fmt, out, table, wide=wide)


@shock.command("tts")
def tts_(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: YearOption = None,
    scenario_: ScenarioOption = None,
    node: Annotated[
        list[str] | None, typer.Option("--node", "-n", help="SITE/PART (repeatable); default every node.")
    ] = None,
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="TTS of these sites, all nodes of a site down together (repeatable)."),
    ] = None,
    severity: Annotated[float, typer.Option(help="Fraction of capacity lost.")] = 1.0,
    horizon: Annotated[float, typer.Option(help="Cap [weeks].")] = 52.0,
    tolerance: Annotated[float, typer.Option(help="Precision of TTS [weeks].")] = 1e-3,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 0,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Time to survive: the longest disruption with no loss beyond the baseline.

    With --scenario alone: the scenario's disruptions held together (table ``scenario``);
    --site: each site with all its nodes down together (table ``sites``);
    --node (or nothing): each node alone (table ``nodes``).
    """
    from importsub.analysis.disruption import tts, tts_scenario, tts_sites
    from importsub.compile.shock import compile_shock

    ds = _load(db, dataset, version)
    net = _compile(ds, scenario_, year)
    if site:
        with status(f"time to survive of {len(site)} site(s)"):
            result = tts_sites(net, list(site), severity=severity, horizon=horizon, tol_weeks=tolerance)
        emit_result(result, fmt, out, table, wide=wide)
        return
    if scenario_ and not node:
        sh = compile_shock(ds, net, scenario_)
        with status(f"time to survive of scenario {scenario_}"):
            result = tts_scenario(net, sh, horizon=horizon, tol_weeks=tolerance)
        emit_result(result, fmt, out, table, wide=wide)
        return
    chosen: list[int] = []
    for text in node or []:
        if "/" not in text:
            raise ImportsubError(f"--node takes SITE/PART, not {text!r}")
        s, p = text.split("/", 1)
        chosen.append(net.node(s, p))
    nodes = sorted(set(chosen)) if node else None
    with _bar("time to survive") as tick:
        result = tts(
            net,
            nodes,
            severity=severity,
            horizon=horizon,
            tol_weeks=tolerance,
            scheduler=scheduler,
            workers=workers,
            progress=tick,
        )
    emit_result(result, fmt, out, table, wide=wide)


@shock.command("montecarlo")
def montecarlo_(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: YearOption = None,
    scenario_: ScenarioOption = None,
    runs: Annotated[int, typer.Option(help="Number of random scenarios.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    window: Annotated[float, typer.Option(help="Window of every scenario [weeks].")] = 13.0,
    site_probability: Annotated[float, typer.Option(help="Probability that a site is disrupted.")] = 0.01,
    external_probability: Annotated[
        float, typer.Option(help="Probability that a country outside 'union' is disrupted.")
    ] = 0.02,
    union_probability: Annotated[float, typer.Option(help="Probability that a 'union' country is disrupted.")] = 0.005,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="ISO2=PROBABILITY for one country (repeatable).")
    ] = None,
    reference: Annotated[str, typer.Option(help="Reference plan: lp (undisrupted optimum) or shares.")] = "lp",
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Also simulate the worst runs week by week (both models side by side).")
    ] = False,
    worst: Annotated[
        float, typer.Option("--worst", min=0.0, max=100.0, help="With --simulate: the worst PCT % of runs (100 = all).")
    ] = 1.0,
    policy: PolicyOption = "base-stock",
    target_weeks: TargetWeeksOption = 2.0,
    rationing: RationingOption = "proportional",
    recovery: RecoveryOption = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 0,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Loss distribution under random disruptions (fast propagation): expected loss, VaR, CVaR, worst 1 %.

    With --simulate the worst runs (or all, --worst 100) are also simulated week by week
    (tables ``simulated runs`` and ``models``), fanned out like the runs (--workers, --scheduler).
    """
    from importsub.analysis.montecarlo import MonteCarloSpec, montecarlo

    probs: dict[str, float] = {}
    for text in country or []:
        if "=" not in text:
            raise ImportsubError(f"--country takes ISO2=PROBABILITY, not {text!r}")
        iso, p = text.split("=", 1)
        try:
            probs[iso.strip()] = float(p)
        except ValueError:
            raise ImportsubError(f"--country {text!r}: the probability must be a number") from None
    spec = MonteCarloSpec(
        runs=runs,
        seed=seed,
        window=window,
        country_probability=probs or None,
        default_country_probability=external_probability,
        union_country_probability=union_probability,
        site_probability=site_probability,
    )
    ds = _load(db, dataset, version)
    net = _compile(ds, scenario_, year)
    if simulate:
        from importsub.analysis.simulate_run import simulate_montecarlo

        sim = _sim_spec(max(1, round(window)), policy, target_weeks, rationing, recovery, 0.0)
        with _bar("Monte Carlo and simulation") as tick:
            result = simulate_montecarlo(
                net,
                spec,
                sim,
                worst=None if worst >= 100 else worst,
                reference=reference,
                scheduler=scheduler,
                workers=workers,
                progress=tick,
            )
        emit_result(result, fmt, out, table, wide=wide)
        return
    with _bar("Monte Carlo") as tick:
        result = montecarlo(net, spec, reference=reference, scheduler=scheduler, workers=workers, progress=tick)
    emit_result(result, fmt, out, table, wide=wide)


def _sim_spec(
    weeks: int, policy: str, target_weeks: float, rationing: str, recovery: str | None, backlog: float
) -> Any:
    from importsub.analysis.simulate import POLICIES, RATIONING, RECOVERY_CURVES, SimulationSpec

    for flag, value, allowed in (
        ("--policy", policy, POLICIES),
        ("--rationing", rationing, RATIONING),
        ("--recovery", recovery, (None, *RECOVERY_CURVES)),
    ):
        if value not in allowed:
            raise ImportsubError(f"{flag} is one of {', '.join(a for a in allowed if a)}, not {value!r}")
    spec = SimulationSpec(weeks, policy, target_weeks, rationing, recovery, backlog=backlog)
    spec.check()
    return spec


@shock.command("simulate")
def simulate_(
    name: Annotated[str, typer.Argument(help="Scenario name (its disruptions, demand changes and year apply).")],
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: YearOption = None,
    weeks: Annotated[
        int | None,
        typer.Option(
            help="Weeks to simulate (default: longest disruption + recovery, whole weeks; 13 for a scenario that "
            "disrupts nothing)."
        ),
    ] = None,
    policy: PolicyOption = "base-stock",
    target_weeks: TargetWeeksOption = 2.0,
    rationing: RationingOption = "proportional",
    recovery: RecoveryOption = None,
    backlog: BacklogOption = 0.0,
    fmt: FormatOption = "table",
    out: OutOption = None,
    table: TableOption = None,
    wide: WideOption = False,
) -> None:
    """Week by week: output, losses and stock per week and OEM under a scenario, beside the TTR bound."""
    import math

    from importsub.analysis.disruption import shock_window, with_window_basis
    from importsub.analysis.simulate_run import simulate_shock
    from importsub.compile.shock import compile_shock

    ds = _load(db, dataset, version)
    net = _compile(ds, name, year)
    sh = compile_shock(ds, net, name)
    window, basis = shock_window(sh, weeks)
    n_weeks = max(1, math.ceil(window))
    spec = _sim_spec(n_weeks, policy, target_weeks, rationing, recovery, backlog)
    with status(f"simulating {name} for {n_weeks} weeks ({basis}) and solving its TTR bound"):
        result = simulate_shock(net, sh, spec)
    emit_result(with_window_basis(result, basis), fmt, out, table, wide=wide)


# ------------------------------------------------------------ scenarios


@scenario.command("list")
def list_(
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Scenarios with their year, weight and how many disruptions, demand changes and projects each has."""
    ds = _load(db, dataset, version)
    counts = [
        ds.disruptions.group_by("scenario").len("disruptions"),
        ds.demand_changes.group_by("scenario").len("demand changes"),
        ds.scenario_projects.group_by("scenario").len("projects"),
    ]
    frame = ds.scenarios.select("name", "year", "weight", "description")
    for c in counts:
        frame = frame.join(c.rename({"scenario": "name"}), on="name", how="left")
    frame = frame.with_columns(pl.col("disruptions", "demand changes", "projects").fill_null(0)).rename(
        {"year": "year", "weight": "weight [probability]"}
    )
    emit({"scenarios": frame}, fmt, out, fingerprint=_fp(ds), title="scenarios")


@scenario.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Scenario name.")],
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """One scenario: its record, disruptions, demand changes and active projects."""
    ds = _load(db, dataset, version)
    tables = _scenario_tables(ds, name)
    emit(tables, fmt, out, fingerprint={**_fp(ds), "scenario": name}, title=name)


@scenario.command("copy")
def copy(
    source: Annotated[str, typer.Argument(help="Scenario to copy.")],
    target: Annotated[str, typer.Argument(help="Name of the new scenario.")],
    description: Annotated[str | None, typer.Option(help="Description of the copy.")] = None,
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
) -> None:
    """Copy a scenario (with its disruptions, demand changes and projects) into a new dataset version."""
    ds = _load(db, dataset, None)
    row = _scenario_row(ds, source)
    if ds.scenarios.filter(pl.col("name") == target).height:
        raise ImportsubError(f"scenario {target!r} already exists in {dataset!r}; choose another name")
    new_row = row.with_columns(pl.lit(target).alias("name"))
    if description is not None:
        new_row = new_row.with_columns(pl.lit(description).alias("description"))
    frames = {"scenarios": pl.concat([ds.scenarios, new_row])}
    for t in ("disruptions", "demand_changes", "scenario_projects"):
        df = ds.tables[t]
        frames[t] = pl.concat(
            [df, df.filter(pl.col("scenario") == source).with_columns(pl.lit(target).alias("scenario"))]
        )
    _write(db, ds.replace(**frames), f"scenario {target!r} copied from {source!r}")


@scenario.command("set")
def set_(
    name: Annotated[str, typer.Argument(help="Scenario to edit (created if absent).")],
    description: Annotated[str | None, typer.Option(help="New description.")] = None,
    year: Annotated[int | None, typer.Option(help="New year.")] = None,
    weight: Annotated[float | None, typer.Option(help="New weight [probability].")] = None,
    disrupt: Annotated[
        list[str] | None,
        typer.Option(help="Add or replace a disruption KIND:TARGET:SEVERITY:WEEKS[:RECOVERY] (repeatable)."),
    ] = None,
    remove: Annotated[list[str] | None, typer.Option(help="Remove the disruption KIND:TARGET (repeatable).")] = None,
    demand: Annotated[list[str] | None, typer.Option(help="Demand change SITE:PART:FACTOR (repeatable).")] = None,
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
) -> None:
    """Edit a scenario; writes a new dataset version with a note of what changed."""
    ds = _load(db, dataset, None)
    changes: list[str] = []
    scen = ds.scenarios
    if scen.filter(pl.col("name") == name).height == 0:
        scen = pl.concat(
            [
                scen,
                pl.DataFrame({"name": [name]})
                .select(
                    pl.col("name"),
                    *[pl.lit(None, dtype=scen.schema[c]).alias(c) for c in scen.columns if c != "name"],
                )
                .with_columns(pl.lit(1.0).alias("weight"))
                .select(scen.columns),
            ]
        )
        changes.append(f"created scenario {name!r}")
    updates = {"description": description, "year": year, "weight": weight}
    for col, val in updates.items():
        if val is not None:
            scen = scen.with_columns(
                pl.when(pl.col("name") == name)
                .then(pl.lit(val, dtype=scen.schema[col]))
                .otherwise(pl.col(col))
                .alias(col)
            )
            changes.append(f"{col} = {val}")
    dis = ds.disruptions
    for text in remove or []:
        if ":" not in text:
            raise ImportsubError(f"--remove takes KIND:TARGET, not {text!r}")
        kind, target = text.split(":", 1)
        mask = (pl.col("scenario") == name) & (pl.col("target_kind") == kind) & (pl.col("target") == target)
        if dis.filter(mask).height == 0:
            raise ImportsubError(f"scenario {name!r} has no disruption {kind} {target!r}")
        dis = dis.filter(~mask)
        changes.append(f"removed disruption {kind} {target}")
    for text in disrupt or []:
        row = _parse_disruption(text)
        _check_target(ds, row["target_kind"], row["target"])
        dis = dis.filter(
            ~(
                (pl.col("scenario") == name)
                & (pl.col("target_kind") == row["target_kind"])
                & (pl.col("target") == row["target"])
            )
        )
        dis = pl.concat([dis, pl.DataFrame([{"scenario": name, **row}], schema=dis.schema)])
        changes.append(
            f"disruption {row['target_kind']} {row['target']}: severity {row['severity']:g}, "
            f"{row['duration']:g} weeks, {row['recovery']}"
        )
    dc = ds.demand_changes
    for text in demand or []:
        pieces = text.split(":")
        if len(pieces) != 3:
            raise ImportsubError(f"--demand takes SITE:PART:FACTOR, not {text!r}")
        s, p, f = pieces
        try:
            factor = float(f)
        except ValueError:
            raise ImportsubError(f"--demand {text!r}: the factor must be a number") from None
        dc = dc.filter(~((pl.col("scenario") == name) & (pl.col("site") == s) & (pl.col("part") == p)))
        dc = pl.concat(
            [dc, pl.DataFrame([{"scenario": name, "site": s, "part": p, "factor": factor}], schema=dc.schema)]
        )
        changes.append(f"demand {s}/{p} × {factor:g}")
    if not changes:
        raise ImportsubError("nothing to change: give --description, --year, --weight, --disrupt, --remove or --demand")
    _write(
        db,
        ds.replace(scenarios=scen, disruptions=dis, demand_changes=dc),
        f"scenario {name!r}: " + "; ".join(changes),
    )


@scenario.command("compare")
def compare(
    first: Annotated[str, typer.Argument(help="First scenario.")],
    second: Annotated[str, typer.Argument(help="Second scenario.")],
    db: DbOption = None,
    dataset: DatasetOption = DEFAULT_DATASET,
    version: VersionOption = None,
    year: YearOption = None,
    run: Annotated[bool, typer.Option(help="Also solve both scenarios' TTR models and compare their losses.")] = True,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Two scenarios side by side: their disruptions and (by default) their losses per OEM."""
    ds = _load(db, dataset, version)
    a = _scenario_tables(ds, first)
    b = _scenario_tables(ds, second)
    key = ["kind", "target"]
    dis = (
        a["disruptions"]
        .join(b["disruptions"], on=key, how="full", coalesce=True, suffix=f" ({second})")
        .rename({c: f"{c} ({first})" for c in a["disruptions"].columns if c not in key})
        .sort(key)
    )
    tables: dict[str, pl.DataFrame] = {"disruptions": dis}
    if run:
        from importsub.analysis.disruption import run_shock
        from importsub.compile.shock import compile_shock

        summaries, oems = [], []
        for name in (first, second):
            net = _compile(ds, name, year)
            with status(f"solving {name}"):
                r = run_shock(net, compile_shock(ds, net, name), why=0)
            summaries.append(r["summary"])
            oems.append(r["oems"].select("OEM", pl.col("extra lost margin [RUB]").alias(f"PI {name} [RUB]")))
        tables["summary"] = pl.concat(summaries, how="diagonal_relaxed")
        tables["oems"] = (
            oems[0]
            .join(oems[1], on="OEM", how="full", coalesce=True)
            .fill_null(0.0)
            .with_columns((pl.col(f"PI {second} [RUB]") - pl.col(f"PI {first} [RUB]")).alias("difference [RUB]"))
            .sort("difference [RUB]", descending=True)
        )
    emit(tables, fmt, out, fingerprint={**_fp(ds), "scenarios": [first, second]}, title="compare")


def _scenario_tables(ds: Dataset, name: str) -> dict[str, pl.DataFrame]:
    row = _scenario_row(ds, name)
    dis = ds.disruptions.filter(pl.col("scenario") == name).select(
        pl.col("target_kind").alias("kind"),
        "target",
        pl.col("severity").alias("severity [fraction]"),
        pl.col("duration").alias("duration [weeks]"),
        "recovery",
    )
    dc = ds.demand_changes.filter(pl.col("scenario") == name).select(
        "site", "part", pl.col("factor").alias("factor [×]")
    )
    pr = ds.scenario_projects.filter(pl.col("scenario") == name).select("project")
    return {
        "scenario": row.rename({"weight": "weight [probability]"}),
        "disruptions": dis,
        "demand changes": dc,
        "projects": pr,
    }
