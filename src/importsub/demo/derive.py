"""Derive the computed tables of the demo ``by-ru-auto`` from its sourced tables and inputs.

The demo ships as CSV files in ``demo/data/by-ru-auto/`` (the format :mod:`importsub.io.csv`
reads).  Two kinds of file live there:

* **source tables**, edited by hand as data: ``countries``, ``country_groups``,
  ``organizations``, ``sites``, ``capacity_pools``, the ``project*`` tables,
  ``milestones``, ``scenarios``, ``disruptions``, ``scenario_projects``, ``programme``;
* **derived tables**, written by this module: ``parts`` (vehicles, their major systems
  and rest-of-vehicle residuals are computed from vehicle prices), ``bom``, ``production``
  (capacities sized from derived need, prices by country), ``supply_links`` (the sourcing
  walk, lead times by country), ``inventory`` (weeks of supply), ``demand`` (OEM output
  split over models, growth after 2025) and ``demand_changes``.

The derivation inputs (part values, BOMs, sourcing, sizing rules) are in
:mod:`importsub.demo.inputs_network` and :mod:`importsub.demo.inputs_sourcing`; the public
figures among them cite their ``FACTS.md`` row in the ``source`` text they put on each
record (e.g. "Vehicle output": AvtoVAZ 374k in 2023, lenta.ru; "Components and
suppliers": the KAMAZ disc-brake line of 90,000 a year, tatar-inform; "The programme":
Togliatti's 5 million parts a year by 2028, 63.ru).

Run ``python -m importsub.demo.derive`` after editing a source table or an input: it reads
the source tables, derives the rest, checks the whole dataset and rewrites the folder
(every file in canonical order).  ``tests/test_demo_data.py`` checks that regenerating
gives the shipped files byte for byte.
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from importsub.demo import DATA, NAME
from importsub.demo.inputs_network import (
    BASE_YEARS,
    BOM,
    BOM_SOURCES,
    CLASS_BOM,
    CLASS_GROWTH,
    CLASS_NAMES,
    DEFAULT_SOURCES,
    EST,
    MARGIN_SHARE,
    MATERIALS,
    MODEL_BOM_CHANGES,
    MODEL_SPLIT,
    OEM_OUTPUT,
    PARTS,
    PLAN_YEARS,
    ROV_SHARE,
    SELF,
    VEHICLE_CAPACITY,
    VEHICLES,
    Source,
)
from importsub.demo.inputs_sourcing import (
    ALTERNATIVE_FLOOR,
    BUYER_SOURCES,
    CLASS_SYSTEMS,
    DEFAULT_SYSTEM_SOURCES,
    DOMESTIC_STOCK_WEEKS,
    EXPLICIT_CAPACITY,
    EXTRA_PRODUCTION,
    HEADROOM_DOMESTIC,
    HEADROOM_FOREIGN,
    IMPORT_STOCK_WEEKS,
    LEAD_WEEKS,
    PASSENGER_CAR_FACTOR,
    PRICE_FACTOR,
    PROJECT_INPUT_SOURCES,
    SITE_HEADROOM,
    SITE_TTR,
    STOCKED_CATEGORIES,
    SYSTEM_KINDS,
    SYSTEM_MATERIALS,
    SYSTEM_SOURCES,
    TTR_BY_LEVEL,
    UNMAPPED,
    VEHICLE_STOCK_WEEKS,
    link_source,
)
from importsub.io import read_path, write_path
from importsub.model.dataset import Dataset, polars_schema
from importsub.model.schema import TABLE_NAMES, table
from importsub.model.validate import check

#: Tables edited by hand as data (read from the folder as they are).
SOURCE_TABLES: tuple[str, ...] = (
    "countries",
    "country_groups",
    "organizations",
    "sites",
    "capacity_pools",
    "projects",
    "project_partners",
    "project_outputs",
    "project_rampup",
    "milestones",
    "project_substitutes",
    "scenarios",
    "disruptions",
    "scenario_projects",
    "programme",
    "rules",
    "rule_items",
    "rule_thresholds",
    "registry_entries",
)
#: Tables computed here.
DERIVED_TABLES: tuple[str, ...] = tuple(n for n in TABLE_NAMES if n not in SOURCE_TABLES)

Link = tuple[str, float, bool]  # (supplier, share, qualified)


@dataclass
class _Parts:
    """Parts with values and BOMs, vehicles expanded into systems and a residual."""

    rows: list[dict[str, object]] = field(default_factory=list)
    value: dict[str, float] = field(default_factory=dict)  # [RUB/unit]
    category: dict[str, str] = field(default_factory=dict)
    bom: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    vehicle_site: dict[str, str] = field(default_factory=dict)
    vehicle_class: dict[str, str] = field(default_factory=dict)
    system_kind: dict[str, str] = field(default_factory=dict)  # system part -> kind


@dataclass
class _Sourcing:
    """Producing nodes (ordered) and the links of every (buyer, part) group."""

    producers: dict[tuple[str, str], None]
    links: dict[tuple[str, str], list[Link]]


def _nice_ceil(x: float) -> float:
    """Round up to two significant digits (capacities read like planning figures)."""
    if x <= 0:
        return 0.0
    step = 10 ** max(0, math.floor(math.log10(x)) - 1)
    return float(math.ceil(x / step - 1e-9) * step)


def _rows(name: str, records: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """One typed frame of table ``name`` from row dicts (missing keys are null)."""
    schema = polars_schema(table(name))
    cols = {c: [r.get(c) for r in records] for c in schema}
    return pl.DataFrame(cols, schema=schema)


def _vehicle_bom(model: str, cls: str) -> list[tuple[str, float]]:
    lines = dict(CLASS_BOM[cls])
    for child, q in MODEL_BOM_CHANGES.get(model, {}).items():
        lines[child] = q
    return [(c, q) for c, q in lines.items() if q > 0]


def _check_inputs(part_ids: set[str], site_country: Mapping[str, str]) -> None:
    """Fail fast on a typo in the inputs (check() would also catch most)."""
    for parent, kids in BOM.items():
        assert parent in part_ids, parent
        for child, _ in kids:
            assert child in part_ids, (parent, child)
    sources = (
        [*DEFAULT_SOURCES.items()]
        + [(p, s) for b in BUYER_SOURCES.values() for p, s in b.items()]
        + [(p, s) for (_, p), s in PROJECT_INPUT_SOURCES.items()]
    )
    for part, srcs in sources:
        assert part in part_ids, part
        assert abs(sum(s[1] for s in srcs) - 1.0) < 1e-9, (part, srcs)
        for s in srcs:
            assert s[0] == SELF or s[0] in site_country, s
    for kind, srcs in [*DEFAULT_SYSTEM_SOURCES.items(), *((k, v) for (_, k), v in SYSTEM_SOURCES.items())]:
        assert kind in SYSTEM_KINDS, kind
        assert abs(sum(s[1] for s in srcs) - 1.0) < 1e-9, (kind, srcs)
        for s in srcs:
            assert s[0] == SELF or s[0] in site_country, s
    assert part_ids >= MATERIALS, MATERIALS - part_ids


def _part_row(
    pid: str, name: str, local: str, category: str, unit: str, hs: str, value: float, source: str
) -> dict[str, object]:
    return {
        "id": pid,
        "name": name,
        "name_local": local,
        "category": category,
        "unit": unit,
        "hs_code": hs,
        "unit_value": value,
        "material": pid in MATERIALS,
        "source": source,
    }


def _add_vehicle(
    p: _Parts, vid: str, name: str, local: str, cls: str, value: float, hs: str
) -> list[tuple[str, float]]:
    """A vehicle's major systems (shares of what its modules leave of ROV_SHARE of its price) and residual."""
    lines = _vehicle_bom(vid, cls)
    modules = sum(q * p.value[c] for c, q in lines)
    rest = ROV_SHARE * value - modules  # what the modules leave of 85 % of the vehicle's value
    systems: list[tuple[str, float]] = []
    for kind, share in CLASS_SYSTEMS[cls]:
        sys_id, sys_value = f"SYS-{kind}-{vid}", round(share * rest, -3)
        kind_name, kind_local, category, heading = SYSTEM_KINDS[kind]
        source = f"estimate: {share:.0%} of the rest of the vehicle (its value less the modules)"
        p.rows.append(
            _part_row(
                sys_id, f"{kind_name}, {name}", f"{kind_local}, {local}", category, "set", heading, sys_value, source
            )
        )
        p.value[sys_id], p.category[sys_id] = sys_value, category
        p.system_kind[sys_id] = kind
        # materials by value share of the system (estimate); the rest is the maker's own work
        p.bom[sys_id] = [(m, round(ms * sys_value / p.value[m], 2)) for m, ms in SYSTEM_MATERIALS[kind]]
        systems.append((sys_id, 1.0))
    rov = f"ROV-{vid}"
    rov_value = round(rest - sum(p.value[c] for c, _ in systems), -3)
    assert rov_value > 0, vid
    p.rows.append(
        _part_row(vid, name, local, "vehicle", "pcs", hs, float(value), f"estimate ({CLASS_NAMES[cls]} price)")
    )
    p.rows.append(
        _part_row(
            rov,
            f"Rest of vehicle (final assembly, other parts), {name}",
            f"Прочие узлы (сборка, прочие детали), {local}",
            "rest_of_vehicle",
            "set",
            "870899",
            rov_value,
            f"estimate: {ROV_SHARE:.0%} of the vehicle value less the mapped modules and systems",
        )
    )
    p.value[vid], p.value[rov] = float(value), rov_value
    p.category[vid], p.category[rov] = "vehicle", "rest_of_vehicle"
    return [*lines, *systems, (rov, 1.0)]


def _parts() -> _Parts:
    p = _Parts()
    for pid, name, local, cat, unit, hs, value in PARTS:
        p.rows.append(_part_row(pid, name, local, cat, unit, hs, float(value), EST))
        p.value[pid] = float(value)
        p.category[pid] = cat
    p.bom = {parent: list(kids) for parent, kids in BOM.items()}
    for vid, name, local, cls, value, site, hs in VEHICLES:
        p.bom[vid] = _add_vehicle(p, vid, name, local, cls, value, hs)
        p.vehicle_site[vid] = site
        p.vehicle_class[vid] = cls
    return p


def _bom_rows(p: _Parts) -> list[dict[str, object]]:
    out = []
    for parent, kids in p.bom.items():
        for child, q in kids:
            if parent in p.vehicle_site and child.startswith("MOD-HL"):
                src = "engineering convention (2 headlamps per vehicle; estimate, check per model)"
            elif parent in p.vehicle_site:
                src = "estimate (simplified vehicle BOM)"
            elif parent in p.system_kind:
                src = "estimate (material content of the system by value)"
            else:
                src = BOM_SOURCES.get((parent, child), "estimate (simplified BOM)")
            out.append({"parent": parent, "child": child, "quantity": float(q), "source": src})
    return out


def _levels(p: _Parts) -> tuple[dict[str, int], list[str]]:
    """BOM level of each part (longest path from a vehicle; vehicles are 0) and a topological order."""
    part_ids = set(p.value)
    level: dict[str, int] = dict.fromkeys(p.vehicle_site, 0)
    order: list[str] = []
    indeg: dict[str, int] = defaultdict(int)
    for kids in p.bom.values():
        for c, _ in kids:
            indeg[c] += 1
    stack = sorted(x for x in part_ids if indeg[x] == 0)
    while stack:
        x = stack.pop()
        order.append(x)
        for c, _ in p.bom.get(x, ()):
            level[c] = max(level.get(c, 0), level.get(x, 0) + 1)
            indeg[c] -= 1
            if indeg[c] == 0:
                stack.append(c)
    assert len(order) == len(part_ids), "BOM cycle"
    return level, order


def _resolve(buyer: str, srcs: Sequence[Source]) -> list[Link]:
    out = []
    for s in srcs:
        supplier = buyer if s[0] == SELF else s[0]
        qualified = bool(s[2]) if len(s) > 2 else True  # type: ignore[misc]
        out.append((supplier, float(s[1]), qualified))
    return out


def _sourcing(p: _Parts, site_country: Mapping[str, str], union: frozenset[str]) -> _Sourcing:
    """Walk producing nodes from the vehicles down: each (site, parent) needs its BOM children."""
    producers: dict[tuple[str, str], None] = {(site, vid): None for vid, site in p.vehicle_site.items()}
    links: dict[tuple[str, str], list[Link]] = {}
    pending = list(producers)
    seen_groups: set[tuple[str, str]] = set()
    while pending:
        site, parent = pending.pop(0)
        if site_country[site] not in union:
            continue  # tiers below a foreign supplier are not mapped
        for child, _ in p.bom.get(parent, ()):
            group = (site, child)
            if group in seen_groups or group in UNMAPPED:
                continue
            seen_groups.add(group)
            srcs: list[Source]
            if child in p.system_kind:
                kind = p.system_kind[child]
                srcs = SYSTEM_SOURCES.get((site, kind)) or DEFAULT_SYSTEM_SOURCES[kind]
            else:
                srcs = BUYER_SOURCES.get(site, {}).get(child) or (
                    [(SELF, 1.0)] if child.startswith("ROV-") else DEFAULT_SOURCES[child]
                )
            links[group] = _resolve(site, srcs)
            for supplier, _, _ in links[group]:
                if (supplier, child) not in producers:
                    producers[(supplier, child)] = None
                    pending.append((supplier, child))
    # every buyer override must be used (catches a misplaced override)
    for buyer, parts in BUYER_SOURCES.items():
        for part in parts:
            assert (buyer, part) in links, f"unused sourcing override {buyer} {part}"
    for (buyer, part), srcs in PROJECT_INPUT_SOURCES.items():
        assert (buyer, part) not in links
        links[(buyer, part)] = _resolve(buyer, srcs)
        for supplier, _, _ in links[(buyer, part)]:
            producers.setdefault((supplier, part), None)
    for site, part in EXTRA_PRODUCTION:
        producers.setdefault((site, part), None)
    return _Sourcing(producers, links)


def _demand(p: _Parts) -> dict[tuple[str, int], tuple[float, str]]:
    """Units per model and year: OEM output split over models (2023–25), then class growth."""
    demand: dict[tuple[str, int], tuple[float, str]] = {}
    for vid, site in p.vehicle_site.items():
        for year in BASE_YEARS:
            units, src = OEM_OUTPUT[site][year]
            split = MODEL_SPLIT[vid]
            text = src if split == 1.0 else f"{src}; split over models: estimate"
            demand[(vid, year)] = (round(units * split), text)
        base = demand[(vid, BASE_YEARS[-1])][0]
        for k, year in enumerate(PLAN_YEARS, start=1):
            growth = CLASS_GROWTH[p.vehicle_class[vid]]
            demand[(vid, year)] = (round(base * growth**k), f"estimate ({(growth - 1):.0%} a year after 2025)")
    return demand


def _need(
    p: _Parts, s: _Sourcing, order: list[str], demand: Mapping[tuple[str, int], tuple[float, str]], year: int
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Output x of every node and need of every (buyer, part) group: x = A x + d, solved
    by one pass over parts in topological order (parents before children)."""
    nodes_by_part: dict[str, list[str]] = defaultdict(list)
    for site, part in s.producers:
        nodes_by_part[part].append(site)
    groups_by_part: dict[str, list[tuple[str, list[Link]]]] = defaultdict(list)
    for (buyer, part), resolved in s.links.items():
        groups_by_part[part].append((buyer, resolved))
    x: dict[tuple[str, str], float] = defaultdict(float)  # node output [units/yr]
    need: dict[tuple[str, str], float] = defaultdict(float)  # group need [units/yr]
    for vid, site in p.vehicle_site.items():
        x[(site, vid)] += demand[(vid, year)][0]
    for part in order:
        for buyer, group_links in groups_by_part[part]:  # complete: every parent came earlier
            for supplier, share, _ in group_links:
                x[(supplier, part)] += share * need[(buyer, part)]
        for site in nodes_by_part[part]:
            xj = x[(site, part)]
            for child, q in p.bom.get(part, ()):
                if (site, child) in s.links:
                    need[(site, child)] += q * xj
    return x, need


def _production(
    p: _Parts,
    s: _Sourcing,
    site_country: Mapping[str, str],
    union: frozenset[str],
    level: Mapping[str, int],
    peak_x: Mapping[tuple[str, str], float],
) -> list[dict[str, object]]:
    """Capacity (vehicles: given; others: peak derived need 2023–25 × headroom), price and time to recover."""
    total_part_need: dict[str, float] = defaultdict(float)
    for (_, part), v in peak_x.items():
        if part not in p.vehicle_site:
            total_part_need[part] += v
    production: list[dict[str, object]] = []
    for site, part in s.producers:
        country = site_country[site]
        if part in p.vehicle_site:
            cap, pool, src = VEHICLE_CAPACITY[part]
            ttr = float(SITE_TTR.get(site, TTR_BY_LEVEL[0]))
            production.append(
                {
                    "site": site,
                    "part": part,
                    "capacity": float(cap),
                    "unit_value": None,
                    "time_to_recover": ttr,
                    "pool": pool,
                    "source": src,
                }
            )
            continue
        if (site, part) in EXPLICIT_CAPACITY:
            cap, src = EXPLICIT_CAPACITY[(site, part)]
        else:
            default = HEADROOM_DOMESTIC if country in union else HEADROOM_FOREIGN
            headroom, src = SITE_HEADROOM.get(site, (default, EST))
            floor = ALTERNATIVE_FLOOR * total_part_need.get(part, 0.0)  # alternatives cover part of the need
            cap = _nice_ceil(max(headroom * peak_x.get((site, part), 0.0), floor)) or 1_000.0
            src = f"{src}; capacity sized from derived need 2023–25 × headroom {headroom:g} (estimate)"
        factor = PRICE_FACTOR[country]
        production.append(
            {
                "site": site,
                "part": part,
                "capacity": float(cap),
                "unit_value": None if factor == 1.0 else round(p.value[part] * factor, 2),
                "time_to_recover": float(SITE_TTR.get(site, TTR_BY_LEVEL[min(level[part], len(TTR_BY_LEVEL) - 1)])),
                "pool": None,
                "source": src if factor == 1.0 else f"{src}; price × {factor:g} (estimate)",
            }
        )
    return production


def _link_rows(s: _Sourcing, site_country: Mapping[str, str]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for (buyer, part), resolved in s.links.items():
        for supplier, share, qualified in resolved:
            if supplier == buyer:
                lead, src = 0.0, "in-house (estimate)"
            else:
                sc, bc = site_country[supplier], site_country[buyer]
                lead = 1.0 if sc == bc else float(LEAD_WEEKS[sc])
                src = link_source(buyer, part, supplier)
            if (buyer, part) in PROJECT_INPUT_SOURCES:
                src = "estimate (pre-contracted input of a project host site)"
            out.append(
                {
                    "buyer": buyer,
                    "part": part,
                    "supplier": supplier,
                    "share": share,
                    "lead_time": lead,
                    "qualified": qualified,
                    "source": src,
                }
            )
    return out


def _inventory(
    p: _Parts,
    s: _Sourcing,
    site_country: Mapping[str, str],
    union: frozenset[str],
    demand: Mapping[tuple[str, int], tuple[float, str]],
    need_2024: Mapping[tuple[str, str], float],
) -> list[dict[str, object]]:
    """Finished vehicles (weeks of 2024 output) and purchased inputs (weeks of supply)."""
    out: list[dict[str, object]] = []
    for vid, site in p.vehicle_site.items():
        units = round(VEHICLE_STOCK_WEEKS * demand[(vid, 2024)][0] / 52)
        out.append(
            {
                "site": site,
                "part": vid,
                "units": float(units),
                "source": f"estimate ({VEHICLE_STOCK_WEEKS:g} weeks of 2024 output)",
            }
        )
    for (buyer, part), resolved in s.links.items():
        if p.category[part] not in STOCKED_CATEGORIES or (buyer, part) in s.producers:
            continue
        weekly = need_2024.get((buyer, part), 0.0) / 52
        imported = any(site_country[sup] not in union and share > 0 for sup, share, _ in resolved)
        weeks = IMPORT_STOCK_WEEKS if imported else DOMESTIC_STOCK_WEEKS
        if weekly > 0:
            out.append(
                {
                    "site": buyer,
                    "part": part,
                    "units": float(math.ceil(weeks * weekly)),
                    "source": f"estimate ({weeks:g} weeks of supply)",
                }
            )
    return out


def _demand_frames(p: _Parts, demand: Mapping[tuple[str, int], tuple[float, str]]) -> dict[str, pl.DataFrame]:
    rows = [
        {
            "site": p.vehicle_site[vid],
            "part": vid,
            "year": year,
            "units": float(units),
            "margin": round(MARGIN_SHARE * p.value[vid], -3),
            "source": f"{src}; margin {MARGIN_SHARE:.0%} of price (estimate)",
        }
        for (vid, year), (units, src) in demand.items()
    ]
    changes = [
        {"scenario": "passenger-cars+10%", "site": p.vehicle_site[v], "part": v, "factor": PASSENGER_CAR_FACTOR}
        for v in p.vehicle_site
        if p.vehicle_class[v] == "car"
    ]
    return {"demand": _rows("demand", rows), "demand_changes": _rows("demand_changes", changes)}


def derive(sources: Dataset) -> Dataset:
    """The checked demo: ``sources``' source tables plus the derived tables computed from them.

    Examples
    --------
    >>> from importsub import demo
    >>> derive(demo.load()).fingerprint() == demo.load().fingerprint()
    True
    """
    site_country = dict(sources.sites.select("id", "country").iter_rows())
    groups = sources.country_groups
    union = frozenset(groups.filter(pl.col("group") == "union")["iso2"].to_list())
    p = _parts()
    _check_inputs(set(p.value), site_country)
    level, order = _levels(p)
    s = _sourcing(p, site_country, union)
    demand = _demand(p)
    peak_x: dict[tuple[str, str], float] = defaultdict(float)
    need_2024: dict[tuple[str, str], float] = {}
    for year in BASE_YEARS:
        x, need = _need(p, s, order, demand, year)
        for node, units in x.items():
            peak_x[node] = max(peak_x[node], units)
        if year == 2024:
            need_2024 = dict(need)
    frames = {name: sources.tables[name] for name in SOURCE_TABLES}
    frames.update(
        parts=_rows("parts", p.rows),
        bom=_rows("bom", _bom_rows(p)),
        production=_rows("production", _production(p, s, site_country, union, level, peak_x)),
        inventory=_rows("inventory", _inventory(p, s, site_country, union, demand, need_2024)),
        supply_links=_rows("supply_links", _link_rows(s, site_country)),
        **_demand_frames(p, demand),
    )
    frames["site_operations"] = _rows("site_operations", site_operation_rows(frames["production"], p.rows))
    return check(Dataset.from_frames(NAME, frames))


#: Body operations of the vehicle plants in the group (share of volume; ``rnd``: R&D per revenue): estimates,
#: for the statutory-localisation analysis; plants not listed get :data:`DEFAULT_OPERATIONS`.
PLANT_OPERATIONS: dict[str, dict[str, float]] = {
    "AVTOVAZ-TLT": {"welding": 1.0, "painting": 1.0, "stamping": 0.8, "rnd": 0.01},
    "HAVAL-TULA": {"welding": 1.0, "painting": 1.0, "stamping": 0.5, "rnd": 0.0},
}
DEFAULT_OPERATIONS: dict[str, float] = {"welding": 1.0, "painting": 1.0, "stamping": 0.7, "rnd": 0.005}
OPERATIONS_SOURCE = "estimate (body operations and R&D per revenue of the plant; not public)"


def site_operation_rows(production: pl.DataFrame, parts: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Operations of every vehicle made in Russia or Belarus: :data:`PLANT_OPERATIONS`, else the defaults
    (an operation of share 0 is left out)."""
    vehicles = {r["id"] for r in parts if r["category"] == "vehicle"}
    out = []
    for site, part in production.select("site", "part").sort("site", "part").iter_rows():
        if part not in vehicles:
            continue
        for op, share in PLANT_OPERATIONS.get(site, DEFAULT_OPERATIONS).items():
            if share > 0:
                out.append({"site": site, "part": part, "operation": op, "share": share, "source": OPERATIONS_SOURCE})
    return out


def regenerate(folder: Path = DATA) -> Dataset:
    """Read the source tables of ``folder``, derive the rest and rewrite the folder (all or nothing)."""
    sources = read_path(folder, name=NAME, validate=False)
    ds = derive(sources)
    write_path(ds, folder, "csv")
    return ds


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m importsub.demo.derive [FOLDER]``: regenerate the demo folder (default: the shipped one)."""
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else DATA
    ds = regenerate(folder)
    print(f"{folder}: {sum(ds.counts().values())} records, fingerprint {ds.fingerprint()[:12]}")
    return 0


def copy_sources(folder: Path, into: Path) -> None:
    """Copy only the source tables of ``folder`` into ``into`` (to regenerate from scratch)."""
    into.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_TABLES:
        shutil.copyfile(folder / f"{name}.csv", into / f"{name}.csv")


def regenerated(folder: Path = DATA) -> dict[str, bytes]:
    """The bytes of every file that regenerating ``folder``'s source tables from scratch writes."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / NAME
        copy_sources(folder, work)
        regenerate(work)
        return {f.name: f.read_bytes() for f in sorted(work.iterdir())}


if __name__ == "__main__":
    raise SystemExit(main())
