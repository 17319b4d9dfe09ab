"""Synthetic portfolio instances: projects and disruption scenarios added to a (synthetic) dataset."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from importsub.analysis.demand import gross_output
from importsub.analysis.projects import without_projects
from importsub.compile.build import compile
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError


def synth_projects(ds: Dataset, n: int, seed: int = 0, *, year: int | None = None) -> Dataset:
    """Add ``n`` synthetic projects to a (synthetic) dataset, for benchmarks and tests.

    Each project substitutes imports of one part into the union: its host is a
    union site already making that part (so no supply cycle can arise), its
    target is 30–100 % of the part's imported volume into the union
    [units/yr], its substitutable links are the part's imported links into
    union buyers (at most 8, largest first), its capex 0.3–1.5 × one year of
    the target's value [RUB]; ramp-up 0.5–1 in ``year`` (default the first
    year with demand) and 1 from the next year; ``max_scale`` 1 (60 %), 1.5
    or 2.  No two projects share a part, so no link is substitutable by two
    projects.  Existing projects are kept.
    """
    rng = np.random.default_rng(seed)
    years = sorted(int(y) for y in ds.demand.get_column("year").unique().to_list())
    if not years:
        raise AnalysisError("synth_projects needs a dataset with demand")
    y0 = years[0] if year is None else int(year)
    net = compile(without_projects(ds), None, y0)
    x = gross_output(net)
    flow = net.link_share * np.asarray(net.need @ x).ravel()[net.link_group]
    union = net.group_members("union")
    buyer_in = np.isin(net.site_country[net.group_site[net.link_group]], union)
    sup_out = ~np.isin(net.node_country[net.link_supplier], union)
    imp = np.flatnonzero(buyer_in & sup_out & (flow > 0))
    part_of = net.group_part[net.link_group[imp]]
    producers_in: dict[int, list[int]] = {}
    node_in = np.isin(net.node_country, union)
    for j in np.flatnonzero(node_in):
        producers_in.setdefault(int(net.node_part[j]), []).append(int(net.node_site[j]))
    vol = np.bincount(part_of, weights=flow[imp], minlength=len(net.parts))
    val = vol * net.part_value
    cand = [int(p) for p in np.argsort(-val) if vol[p] > 0 and p in producers_in]
    taken = set(ds.project_outputs.get_column("part").to_list())
    cand = [p for p in cand if net.parts[p] not in taken]
    if len(cand) < n:
        raise AnalysisError(f"only {len(cand)} imported parts have a union producer: cannot make {n} projects")
    pool = cand[: max(n, min(len(cand), 3 * n))]
    picks = rng.choice(len(pool), size=n, replace=False)
    rows_p, rows_o, rows_r, rows_s, rows_m, rows_pp = [], [], [], [], [], []
    statuses = ("planned", "financing", "construction", "ramp-up", "operating")
    site_org = dict(
        zip(ds.sites.get_column("id").to_list(), ds.sites.get_column("organization").to_list(), strict=True)
    )
    for k, pi in enumerate(sorted(int(i) for i in picks)):
        p = pool[pi]
        pid = f"P-SYN-{k + 1:03d}"
        host = net.sites[int(rng.choice(producers_in[p]))]
        target = float(np.ceil(vol[p] * rng.uniform(0.3, 1.0)))
        capex = float(round(target * net.part_value[p] * rng.uniform(0.3, 1.5), -3))
        top = float(rng.choice([1.0, 1.0, 1.0, 1.5, 2.0]))
        rows_p.append(
            {
                "id": pid,
                "name": f"Synthetic project {k + 1}",
                "name_local": f"Синтетический проект {k + 1}",
                "host_site": host,
                "capex": capex,
                "opex": round(capex * 0.1, -3),
                "start": y0 - 1,
                "mrl": int(rng.integers(3, 10)),
                "status": str(rng.choice(statuses)),
                "max_scale": top,
                "source": "synthetic (importsub portfolio.synth_projects)",
            }
        )
        rows_pp.append({"project": pid, "organization": site_org[host], "role": "host"})
        rows_o.append({"project": pid, "part": net.parts[p], "capacity": target})
        rows_r.append({"project": pid, "year": y0, "fraction": float(round(rng.uniform(0.5, 1.0), 2))})
        rows_r.append({"project": pid, "year": y0 + 1, "fraction": 1.0})
        links = imp[part_of == p]
        links = links[np.argsort(-flow[links])][:8]
        for e in links:
            g = net.link_group[e]
            sup = net.sites[net.node_site[net.link_supplier[e]]]
            if sup == host:
                continue
            rows_s.append(
                {"project": pid, "buyer": net.sites[net.group_site[g]], "part": net.parts[p], "supplier": sup}
            )
        import datetime as dt

        due = dt.date(y0 - 1, 6, 30)
        rows_m.append(
            {
                "project": pid,
                "name": "Investment agreement",
                "due": due,
                "done": due + dt.timedelta(days=int(rng.integers(0, 90))),
            }
        )
        rows_m.append({"project": pid, "name": "Start of production", "due": dt.date(y0, 6, 30), "done": None})

    def add(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
        old = ds.tables[name]
        new = pl.DataFrame(rows, schema=old.schema) if rows else old.head(0)
        return pl.concat([old, new])

    return Dataset.from_frames(
        ds.name,
        {
            **ds.tables,
            "projects": add("projects", rows_p),
            "project_partners": add("project_partners", rows_pp),
            "project_outputs": add("project_outputs", rows_o),
            "project_rampup": add("project_rampup", rows_r),
            "project_substitutes": add("project_substitutes", rows_s),
            "milestones": add("milestones", rows_m),
        },
    )


def synth_scenarios(ds: Dataset, n: int, seed: int = 0, *, year: int | None = None) -> Dataset:
    """Add ``n`` synthetic disruption scenarios (named ``S-001`` …), weights summing to 1.

    Mix: a whole outside country cut for 4–12 weeks (40 %), one outside
    supplier site down for its time to recover or 4–16 weeks at severity
    0.5–1 (40 %), all outside suppliers cut for 2–8 weeks (20 %, severity
    0.5–1).  Sites are drawn among outside suppliers weighted by the value
    they ship into the union.
    """
    rng = np.random.default_rng(seed)
    years = sorted(int(y) for y in ds.demand.get_column("year").unique().to_list())
    y0 = years[0] if year is None else int(year)
    net = compile(without_projects(ds), None, y0)
    x = gross_output(net)
    flow = net.link_share * np.asarray(net.need @ x).ravel()[net.link_group]
    union = net.group_members("union")
    outside_node = ~np.isin(net.node_country, union)
    ship = np.bincount(
        net.node_site[net.link_supplier], weights=flow * net.value[net.link_supplier], minlength=len(net.sites)
    )
    site_ok = np.zeros(len(net.sites), dtype=np.bool_)
    site_ok[net.node_site[outside_node]] = True
    site_w = np.where(site_ok, ship, 0.0)
    countries = sorted({net.countries[c] for c in net.node_country[outside_node]})
    has_group = "external" in set(ds.country_groups.get_column("group").to_list())
    raw = rng.uniform(0.2, 1.0, n)
    weights = raw / raw.sum()
    scen, dis = [], []
    for k in range(n):
        name = f"S-{k + 1:03d}"
        u = rng.uniform()
        if u < 0.4 and countries:
            c = str(rng.choice(countries))
            dis.append(
                {
                    "scenario": name,
                    "target_kind": "country",
                    "target": c,
                    "severity": 1.0,
                    "duration": float(rng.integers(4, 13)),
                    "recovery": "instant",
                }
            )
            desc = f"{c} cut off"
        elif u < 0.8 and site_w.sum() > 0:
            s = int(rng.choice(len(site_w), p=site_w / site_w.sum()))
            dis.append(
                {
                    "scenario": name,
                    "target_kind": "site",
                    "target": net.sites[s],
                    "severity": float(round(rng.uniform(0.5, 1.0), 2)),
                    "duration": float(rng.integers(4, 17)),
                    "recovery": str(rng.choice(["instant", "linear"])),
                }
            )
            desc = f"site {net.sites[s]} down"
        else:
            if has_group:
                dis.append(
                    {
                        "scenario": name,
                        "target_kind": "group",
                        "target": "external",
                        "severity": float(round(rng.uniform(0.5, 1.0), 2)),
                        "duration": float(rng.integers(2, 9)),
                        "recovery": "instant",
                    }
                )
            else:  # pragma: no cover - synth always has the group
                dis.append(
                    {
                        "scenario": name,
                        "target_kind": "country",
                        "target": countries[0],
                        "severity": 1.0,
                        "duration": 4.0,
                        "recovery": "instant",
                    }
                )
            desc = "outside suppliers cut"
        scen.append({"name": name, "description": f"synthetic: {desc}", "year": y0, "weight": float(weights[k])})

    def add(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
        old = ds.tables[name]
        return pl.concat([old, pl.DataFrame(rows, schema=old.schema)]) if rows else old

    return Dataset.from_frames(
        ds.name, {**ds.tables, "scenarios": add("scenarios", scen), "disruptions": add("disruptions", dis)}
    )
