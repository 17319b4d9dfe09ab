"""Tests of compile: the hand-worked three-tier network, random networks against
an independent (loop-based, dense) construction, and errors that name records.

The builders here (:func:`three_tier`, :func:`random_dataset`,
:func:`dense_reference`) are shared by the other analysis tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.compile import Network, compile
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from importsub.model.validate import check

# ---------------------------------------------------------------- the hand-worked three-tier network
#
#  tier 0  VAZ (RU)      CAR        v = 1,000,000 RUB   BOM: 2 LAMP, 4 BRAKE
#  tier 1  LAMP-BY (BY)  LAMP       v =    20,000 RUB   BOM: 4 LED
#          BRK-RU (RU)   BRAKE      v =    10,000 RUB   BOM: 2 PAD (no supply link: unmapped)
#          BRK-DE (DE)   BRAKE      v =    12,000 RUB   (production price; part value 10,000)
#  tier 2  LED-CN (CN)   LED        v =       500 RUB   BOM: 1 SUBSTRATE
#  tier 3  SUB-RU (RU)   SUBSTRATE  v =       100 RUB
#
#  links: VAZ buys LAMP 100 % from LAMP-BY, BRAKE 75 % from BRK-RU and 25 % from BRK-DE
#         (+ a qualified alternative BRK-RU2 with share 0); LAMP-BY buys LED from LED-CN;
#         LED-CN buys SUBSTRATE from SUB-RU.  PAD (1,000 RUB) is nobody's link.
#  union = {BY, RU}; demand 2024: 1,000 CAR at VAZ (800 in 2023).

NODES = ["VAZ/CAR", "LAMP-BY/LAMP", "BRK-RU/BRAKE", "BRK-DE/BRAKE", "LED-CN/LED", "SUB-RU/SUBSTRATE", "BRK-RU2/BRAKE"]


def three_tier(**changes: pl.DataFrame) -> Dataset:
    frames: dict[str, pl.DataFrame] = {
        "countries": pl.DataFrame(
            {
                "iso2": ["RU", "BY", "CN", "DE"],
                "name": ["Russia", "Belarus", "China", "Germany"],
                "name_local": ["Россия", "Беларусь", None, None],
            }
        ),
        "country_groups": pl.DataFrame(
            {"group": ["union", "union", "external", "external"], "iso2": ["BY", "RU", "CN", "DE"]}
        ),
        "organizations": pl.DataFrame(
            {
                "id": ["AVTOVAZ", "LIGHT", "BRAKES", "DEB", "CNLED", "SUBST"],
                "name": ["AvtoVAZ", "Light BY", "Brakes RU", "Brake maker DE-1", "LED maker CN-1", "Substrate RU"],
                "name_local": ["АвтоВАЗ", None, None, None, None, None],
                "country": ["RU", "BY", "RU", "DE", "CN", "RU"],
                "kind": ["oem", "supplier", "supplier", "supplier", "supplier", "supplier"],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["VAZ", "LAMP-BY", "BRK-RU", "BRK-DE", "LED-CN", "SUB-RU", "BRK-RU2"],
                "organization": ["AVTOVAZ", "LIGHT", "BRAKES", "DEB", "CNLED", "SUBST", "BRAKES"],
                "name": ["Togliatti", "Rudensk", "Kostroma", "Bavaria", "Shenzhen", "Kazan", "Kostroma-2"],
                "name_local": ["Тольятти", "Руденск", "Кострома", None, None, "Казань", None],
                "country": ["RU", "BY", "RU", "DE", "CN", "RU", "RU"],
                "lat": [53.5, 53.6, 57.8, 48.1, 22.5, 55.8, 57.7],
                "lon": [49.4, 27.9, 40.9, 11.6, 114.1, 49.1, 40.8],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["CAR", "LAMP", "BRAKE", "LED", "SUBSTRATE", "PAD"],
                "name": ["Car", "Headlamp", "Brake", "LED chip", "Substrate", "Brake pad"],
                "category": ["vehicle", "lighting", "braking", "lighting", "materials", "braking"],
                "hs_code": ["8703", "851220", "870830", "854140", "3920", "681381"],
                "unit_value": [1_000_000.0, 20_000.0, 10_000.0, 500.0, 100.0, 1_000.0],
                # the substrate is a basic material: its BOM-less value is traced (to RU)
                "material": [False, False, False, False, True, False],
            }
        ),
        "bom": pl.DataFrame(
            {
                "parent": ["CAR", "CAR", "LAMP", "BRAKE", "LED"],
                "child": ["LAMP", "BRAKE", "LED", "PAD", "SUBSTRATE"],
                "quantity": [2.0, 4.0, 4.0, 2.0, 1.0],
            }
        ),
        "capacity_pools": pl.DataFrame({"site": ["BRK-RU"], "pool": ["line-1"], "capacity": [5_000.0]}),
        "production": pl.DataFrame(
            {
                "site": ["VAZ", "LAMP-BY", "BRK-RU", "BRK-DE", "LED-CN", "SUB-RU", "BRK-RU2"],
                "part": ["CAR", "LAMP", "BRAKE", "BRAKE", "LED", "SUBSTRATE", "BRAKE"],
                "capacity": [1_200.0, 3_000.0, 4_000.0, 2_000.0, 20_000.0, 50_000.0, 500.0],
                "unit_value": [None, None, None, 12_000.0, None, None, None],
                "time_to_recover": [4.0, 8.0, 6.0, 12.0, 20.0, 2.0, 6.0],
                "pool": [None, None, "line-1", None, None, None, None],
            }
        ),
        "inventory": pl.DataFrame(
            {"site": ["VAZ", "VAZ", "LAMP-BY"], "part": ["CAR", "BRAKE", "LED"], "units": [50.0, 400.0, 1_000.0]}
        ),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["VAZ", "VAZ", "VAZ", "VAZ", "LAMP-BY", "LED-CN"],
                "part": ["LAMP", "BRAKE", "BRAKE", "BRAKE", "LED", "SUBSTRATE"],
                "supplier": ["LAMP-BY", "BRK-RU", "BRK-DE", "BRK-RU2", "LED-CN", "SUB-RU"],
                "share": [1.0, 0.75, 0.25, 0.0, 1.0, 1.0],
                "lead_time": [1.0, 1.0, 6.0, 1.0, 8.0, 2.0],
            }
        ),
        "demand": pl.DataFrame(
            {"site": ["VAZ", "VAZ"], "part": ["CAR", "CAR"], "year": [2024, 2023], "units": [1_000.0, 800.0]}
        ),
        "scenarios": pl.DataFrame({"name": ["boom", "old"], "year": [None, 2023]}),
        "demand_changes": pl.DataFrame({"scenario": ["boom"], "site": ["VAZ"], "part": ["CAR"], "factor": [1.5]}),
    }
    frames.update(changes)
    return Dataset.from_frames("three-tier", frames)


def typed(table: str, columns: dict[str, list[Any]]) -> pl.DataFrame:
    """Rows of one table in the schema's column order and types (defaults filled)."""
    return Dataset.from_frames("rows", {table: pl.DataFrame(columns)}).tables[table]


def node(net: Network, label: str) -> int:
    site, part = label.split("/")
    return net.node_index[(site, part)]


# ---------------------------------------------------------------- random networks


def random_dataset(
    seed: int,
    *,
    tiers: int = 4,
    parts_per_tier: int = 3,
    sites: int = 8,
    countries: tuple[str, ...] = ("RU", "BY", "CN", "DE"),
    map_prob: float = 0.85,
    demand_scale: float = 100.0,
    material_prob: float = 1.0,
) -> Dataset:
    """A random valid layered network: BOM from tier t to deeper tiers only,
    each site makes a few parts, links with random shares, values chosen so
    that every node has non-negative value added (inputs priced bottom-up,
    unmapped ones at the part's value).  A part without a BOM is a basic
    material with probability ``material_prob``."""
    rng = np.random.default_rng(seed)
    part_ids = [f"P{t}-{k}" for t in range(tiers) for k in range(parts_per_tier)]
    part_tier = {p: int(p[1 : p.index("-")]) for p in part_ids}
    site_ids = [f"S{k}" for k in range(sites)]
    site_country = {s: countries[int(rng.integers(len(countries)))] for s in site_ids}
    bom: dict[str, list[tuple[str, float]]] = {}
    for p in part_ids:
        deeper = [c for c in part_ids if part_tier[c] > part_tier[p]]
        if deeper:
            kids = rng.choice(len(deeper), size=int(rng.integers(0, min(3, len(deeper)) + 1)), replace=False)
            bom[p] = [(deeper[int(k)], float(rng.integers(1, 4))) for k in kids]
    # producers: every part at 1-3 sites
    producers: dict[str, list[str]] = {}
    for p in part_ids:
        k = int(rng.integers(1, min(3, sites) + 1))
        producers[p] = [site_ids[int(i)] for i in rng.choice(sites, size=k, replace=False)]
    nodes = [(s, p) for p in part_ids for s in producers[p]]
    # links for each (site, input) once per site
    links: list[tuple[str, str, str, float]] = []
    bought: set[tuple[str, str]] = set()
    for s, p in nodes:
        for c, _q in bom.get(p, []):
            if (s, c) in bought or rng.random() > map_prob:
                continue
            bought.add((s, c))
            sup = producers[c]
            k = int(rng.integers(1, len(sup) + 1))
            chosen = [sup[int(i)] for i in rng.choice(len(sup), size=k, replace=False)]
            raw = rng.random(k) + 0.05
            shares = raw / raw.sum()
            shares[-1] = 1.0 - shares[:-1].sum()
            links.extend((s, c, sup_site, float(sh)) for sup_site, sh in zip(chosen, shares, strict=True))
    # values bottom-up: deepest tier first
    link_by_group: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for b, c, sup_site, sh in links:
        link_by_group.setdefault((b, c), []).append((sup_site, sh))
    value: dict[tuple[str, str], float] = {}
    for s, p in sorted(nodes, key=lambda sp_: -part_tier[sp_[1]]):
        cost = 0.0
        for c, q in bom.get(p, []):
            for sup_site, sh in link_by_group.get((s, c), []):
                cost += q * sh * value[(sup_site, c)]
            if (s, c) not in link_by_group:  # unmapped: priced at the part's value (the mean, as below)
                cost += q * float(np.mean([value[(t, c)] for t in producers[c]]))
        value[(s, p)] = cost * (1.0 + float(rng.random())) + float(rng.uniform(1.0, 50.0))
    part_value = {p: float(np.mean([value[(s, p)] for s in producers[p]])) for p in part_ids}
    finals = [nd for nd in nodes if part_tier[nd[1]] == 0]
    frames = {
        "countries": pl.DataFrame({"iso2": list(countries), "name": list(countries)}),
        "country_groups": pl.DataFrame({"group": ["union", "union"], "iso2": ["RU", "BY"]}),
        "organizations": pl.DataFrame({"id": ["ORG"], "name": ["Org"], "country": ["RU"], "kind": ["oem"]}),
        "sites": pl.DataFrame(
            {
                "id": site_ids,
                "organization": ["ORG"] * sites,
                "name": site_ids,
                "country": [site_country[s] for s in site_ids],
                "lat": rng.uniform(40, 60, sites),
                "lon": rng.uniform(20, 60, sites),
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": part_ids,
                "name": part_ids,
                "category": [f"cat{part_tier[p]}" for p in part_ids],
                "unit_value": [part_value[p] for p in part_ids],
                "material": [
                    not bom.get(p) and (material_prob >= 1.0 or bool(rng.random() < material_prob)) for p in part_ids
                ],
            }
        ),
        "bom": pl.DataFrame(
            [(p, c, q) for p, kids in bom.items() for c, q in kids],
            schema={"parent": pl.String, "child": pl.String, "quantity": pl.Float64},
            orient="row",
        ),
        "production": pl.DataFrame(
            {
                "site": [s for s, _ in nodes],
                "part": [p for _, p in nodes],
                "capacity": rng.uniform(1e3, 1e6, len(nodes)),
                "unit_value": [value[nd] for nd in nodes],
            }
        ),
        "supply_links": pl.DataFrame(
            links,
            schema={"buyer": pl.String, "part": pl.String, "supplier": pl.String, "share": pl.Float64},
            orient="row",
        ),
        "demand": pl.DataFrame(
            {
                "site": [s for s, _ in finals],
                "part": [p for _, p in finals],
                "year": [2025] * len(finals),
                "units": rng.uniform(0, demand_scale, len(finals)),
            }
        ),
    }
    return Dataset.from_frames(f"random-{seed}", frames)


def dense_reference(ds: Dataset, group: tuple[str, ...] = ("BY", "RU")) -> dict[str, Any]:
    """Independent dense construction with plain loops over the records:
    ``A[i, j] = Σ_links σ · q``, ``B = A v_i / v_j``, ``w = 1 − colsum B``, d, g."""
    prod = list(ds.production.iter_rows(named=True))
    index = {(r["site"], r["part"]): k for k, r in enumerate(prod)}
    n = len(prod)
    pval = {r["id"]: r["unit_value"] for r in ds.parts.iter_rows(named=True)}
    v = np.array([r["unit_value"] if r["unit_value"] is not None else pval[r["part"]] for r in prod])
    bom: dict[str, list[tuple[str, float]]] = {}
    for r in ds.bom.iter_rows(named=True):
        bom.setdefault(r["parent"], []).append((r["child"], r["quantity"]))
    A = np.zeros((n, n))
    for link in ds.supply_links.iter_rows(named=True):
        i = index[(link["supplier"], link["part"])]
        for j, r in enumerate(prod):
            if r["site"] != link["buyer"]:
                continue
            for child, q in bom.get(r["part"], []):
                if child == link["part"]:
                    A[i, j] += link["share"] * q
    B = A * v[:, None] / v[None, :]
    w = 1.0 - B.sum(axis=0)
    d = np.zeros(n)
    year = max(ds.demand.get_column("year").to_list())
    for r in ds.demand.filter(pl.col("year") == year).iter_rows(named=True):
        d[index[(r["site"], r["part"])]] += r["units"]
    country = {r["id"]: r["country"] for r in ds.sites.iter_rows(named=True)}
    g = np.array([1.0 if country[r["site"]] in group else 0.0 for r in prod])
    return {"index": index, "A": A, "B": B, "w": w, "v": v, "d": d, "g": g}


# ---------------------------------------------------------------- tests


def test_three_tier_is_valid() -> None:
    check(three_tier())


def test_three_tier_matrices_by_hand() -> None:
    net = compile(three_tier())
    k = {label: node(net, label) for label in NODES}
    A = net.A.toarray()
    # A[i, j] = q · σ: 2 lamps × 100 %, 4 brakes × 75 % and × 25 %, 4 LEDs, 1 substrate
    expected = {
        ("LAMP-BY/LAMP", "VAZ/CAR"): 2.0,
        ("BRK-RU/BRAKE", "VAZ/CAR"): 3.0,
        ("BRK-DE/BRAKE", "VAZ/CAR"): 1.0,
        ("LED-CN/LED", "LAMP-BY/LAMP"): 4.0,
        ("SUB-RU/SUBSTRATE", "LED-CN/LED"): 1.0,
    }
    want = np.zeros_like(A)
    for (i, j), val in expected.items():
        want[k[i], k[j]] = val
    np.testing.assert_allclose(A, want, rtol=0, atol=1e-15)
    # the share-0 alternative BRK-RU2 leaves no explicit zero in A
    assert net.A.nnz == 5
    assert net.B.nnz == 5
    # B[i, j] = A v_i / v_j: 2·20,000/1e6 = 0.04; 3·10,000/1e6 = 0.03; 1·12,000/1e6 = 0.012;
    # 4·500/20,000 = 0.1; 1·100/500 = 0.2
    B = net.B.toarray()
    assert B[k["LAMP-BY/LAMP"], k["VAZ/CAR"]] == pytest.approx(0.04, abs=1e-15)
    assert B[k["BRK-RU/BRAKE"], k["VAZ/CAR"]] == pytest.approx(0.03, abs=1e-15)
    assert B[k["BRK-DE/BRAKE"], k["VAZ/CAR"]] == pytest.approx(0.012, abs=1e-15)
    assert B[k["LED-CN/LED"], k["LAMP-BY/LAMP"]] == pytest.approx(0.1, abs=1e-15)
    assert B[k["SUB-RU/SUBSTRATE"], k["LED-CN/LED"]] == pytest.approx(0.2, abs=1e-15)
    # w = 1 − colsum B: CAR 1 − 0.082 = 0.918; LAMP 0.9; brakes 1 (PAD unmapped); LED 0.8; SUBSTRATE 1
    w = {label: net.w[k[label]] for label in NODES}
    assert w == pytest.approx(
        {
            "VAZ/CAR": 0.918,
            "LAMP-BY/LAMP": 0.9,
            "BRK-RU/BRAKE": 1.0,
            "BRK-DE/BRAKE": 1.0,
            "LED-CN/LED": 0.8,
            "SUB-RU/SUBSTRATE": 1.0,
            "BRK-RU2/BRAKE": 1.0,
        },
        abs=1e-12,
    )
    # unmapped: 2 PAD × 1,000 RUB / 10,000 = 0.2 at BRK-RU (and at the alternative), / 12,000 = 1/6 at BRK-DE
    assert net.unmapped_inputs[k["BRK-RU/BRAKE"]] == pytest.approx(0.2)
    assert net.unmapped_inputs[k["BRK-DE/BRAKE"]] == pytest.approx(1 / 6)
    assert net.unmapped_inputs[k["VAZ/CAR"]] == 0.0
    assert net.has_bom[k["BRK-RU/BRAKE"]]
    assert not net.has_bom[k["SUB-RU/SUBSTRATE"]]
    assert net.value[k["BRK-DE/BRAKE"]] == 12_000.0
    assert net.value[k["BRK-RU/BRAKE"]] == 10_000.0


def test_three_tier_groups_links_stock_pools() -> None:
    net = compile(three_tier())
    k = {label: node(net, label) for label in NODES}
    groups = {(net.sites[s], net.parts[p]) for s, p in zip(net.group_site, net.group_part, strict=True)}
    assert groups == {("VAZ", "LAMP"), ("VAZ", "BRAKE"), ("LAMP-BY", "LED"), ("LED-CN", "SUBSTRATE")}
    assert net.n_links == 6
    # need[g, j]: 4 BRAKE per CAR for group (VAZ, BRAKE)
    g_brake = next(
        g
        for g in range(len(net.group_site))
        if net.sites[net.group_site[g]] == "VAZ" and net.parts[net.group_part[g]] == "BRAKE"
    )
    assert net.need[g_brake, k["VAZ/CAR"]] == 4.0
    # stock: 50 CAR is VAZ's own output; 400 BRAKE and 1,000 LED are purchased inputs
    assert net.stock[k["VAZ/CAR"]] == 50.0
    assert net.group_stock[g_brake] == 400.0
    assert net.group_stock.sum() == 1_400.0
    assert net.pool[k["BRK-RU/BRAKE"]] >= 0
    assert net.pool_capacity[net.pool[k["BRK-RU/BRAKE"]]] == 5_000.0
    assert (net.pool >= 0).sum() == 1
    # supplier qualification and lead time carried per link
    assert net.link_lead_time.max() == 8.0
    assert net.link_qualified.all()
    assert net.groups["union"].tolist() == sorted(net.countries.index(c) for c in ("BY", "RU"))
    assert net.in_group("union").tolist() == [net.sites[s] not in ("BRK-DE", "LED-CN") for s in net.node_site]


def test_three_tier_year_scenario_and_fingerprint() -> None:
    ds = three_tier()
    net = compile(ds)
    car = node(net, "VAZ/CAR")
    assert net.year == 2024
    assert net.demand[car] == 1_000.0
    assert net.demand.sum() == 1_000.0
    # issue 9 item 8: one default-year rule (was "latest year with demand", 2030 for the demo)
    from importsub.compile import YEAR_RULE

    assert net.fingerprint["year rule"] == YEAR_RULE
    assert net.fingerprint["content"] == ds.fingerprint()
    assert net.fingerprint["dataset"] == "three-tier"
    assert net.fingerprint["scenario"] is None
    assert compile(ds, year=2023).demand[car] == 800.0
    boom = compile(ds, "boom")
    assert boom.demand[car] == pytest.approx(1_500.0)
    assert boom.fingerprint["scenario"] == "boom"
    old = compile(ds, "old")
    assert old.year == 2023
    assert old.demand[car] == 800.0
    assert old.fingerprint["year rule"] == "scenario"
    # margin defaults to the part's unit value
    assert net.margin[car] == 1_000_000.0


def test_topological_order_suppliers_first() -> None:
    net = compile(three_tier())
    pos = np.empty(net.n_nodes, dtype=np.int64)
    pos[net.topo] = np.arange(net.n_nodes)
    rows, cols = net.A.nonzero()
    assert (pos[rows] < pos[cols]).all()
    assert (net.level[rows] < net.level[cols]).all()
    lv = {label: int(net.level[node(net, label)]) for label in NODES}
    assert lv == {
        "SUB-RU/SUBSTRATE": 0,
        "LED-CN/LED": 1,
        "LAMP-BY/LAMP": 2,
        "BRK-RU/BRAKE": 0,
        "BRK-DE/BRAKE": 0,
        "BRK-RU2/BRAKE": 0,
        "VAZ/CAR": 3,
    }
    assert sum(len(lvl) for lvl in net.levels) == net.n_nodes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), tiers=st.integers(1, 5), sites=st.integers(1, 9))
def test_random_matrices_match_loop_construction(seed: int, tiers: int, sites: int) -> None:
    ds = random_dataset(seed, tiers=tiers, sites=sites)
    check(ds)
    net = compile(ds)
    ref = dense_reference(ds)
    assert net.n_nodes == len(ref["index"])
    np.testing.assert_allclose(net.A.toarray(), ref["A"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.B.toarray(), ref["B"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.w, ref["w"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.demand, ref["d"])
    assert (net.w >= -1e-9).all()
    assert not (net.A.data == 0).any()
    pos = np.empty(net.n_nodes, dtype=np.int64)
    pos[net.topo] = np.arange(net.n_nodes)
    r, c = net.A.nonzero()
    assert (pos[r] < pos[c]).all()


# ---------------------------------------------------------------- errors name the records


def test_empty_dataset() -> None:
    with pytest.raises(AnalysisError, match="no production records"):
        compile(Dataset.empty("nothing"))


def test_no_demand_at_all() -> None:
    ds = three_tier().replace(demand=Dataset.empty().demand)
    with pytest.raises(AnalysisError, match="no demand records"):
        compile(ds)


def test_year_without_demand_names_the_years() -> None:
    with pytest.raises(AnalysisError, match=r"no demand in year 2030; years with demand: 2023, 2024"):
        compile(three_tier(), year=2030)


def test_unknown_scenario() -> None:
    with pytest.raises(AnalysisError, match=r"unknown scenario 'nope'; scenarios: boom, old"):
        compile(three_tier(), "nope")


def test_compile_with_projects_applies_the_project_rule() -> None:
    """compile(..., projects=, year=) is the project application of issue 5, nothing stored changes."""
    import numpy as np

    from importsub.analysis.localisation import domestic_content
    from importsub.analysis.projects import compile_with_projects
    from importsub.demo import load
    from importsub.model.errors import NotFoundError

    demo = load()
    before = compile(demo, year=2028)
    after = compile(demo, projects=["P-LED-RUDENSK"], year=2028)
    assert after.fingerprint["projects"] == ["P-LED-RUDENSK"]
    same = compile_with_projects(demo, ["P-LED-RUDENSK"], 2028)
    assert (after.A != same.A).nnz == 0
    np.testing.assert_array_equal(after.capacity, same.capacity)
    rudensk = [i for i in range(after.n_nodes) if after.sites[after.node_site[i]] == "RUDENSK"]
    assert rudensk, "the Rudensk site produces in the demo"
    assert sum(after.capacity[rudensk]) > sum(
        before.capacity[i] for i in range(before.n_nodes) if before.sites[before.node_site[i]] == "RUDENSK"
    )
    # the project takes over imported links: no vehicle's domestic content falls, some rise
    finals = [after.node_index[k] for k in before.node_index if before.demand[before.node_index[k]] > 0]
    l_before = domestic_content(before, "union")
    l_after = domestic_content(after, "union")
    by_key_before = {k: l_before[i] for k, i in before.node_index.items()}
    gains = [
        l_after[j] - by_key_before[(after.sites[after.node_site[j]], after.parts[after.node_part[j]])] for j in finals
    ]
    assert min(gains) >= -1e-12
    assert max(gains) > 1e-6
    assert load().equals(demo)  # nothing in the dataset changed
    # a scenario's own projects apply when none are given
    assert compile(demo, "projects-2028").fingerprint["projects"]
    with pytest.raises(NotFoundError):
        compile(demo, projects=["NO-SUCH-PROJECT"], year=2028)


def test_negative_value_added_names_the_node() -> None:
    ds = three_tier()
    prod = ds.production.with_columns(
        pl.when(pl.col("site") == "LAMP-BY").then(1_000.0).otherwise(pl.col("unit_value")).alias("unit_value")
    )
    # LAMP-BY's 4 LEDs cost 2,000 RUB, more than the lamp's 1,000 RUB
    with pytest.raises(
        AnalysisError, match=r"negative value added.*LAMP-BY/LAMP inputs 2,000.00 RUB/unit > value 1,000.00"
    ):
        compile(ds.replace(production=prod))


def test_cycle_names_its_nodes() -> None:
    ds = three_tier()
    # SUBSTRATE made from CAR (an invalid BOM cycle) and SUB-RU buys CAR from VAZ, cheaply
    bom = pl.concat([ds.bom, typed("bom", {"parent": ["SUBSTRATE"], "child": ["CAR"], "quantity": [1e-9]})])
    links = pl.concat(
        [
            ds.supply_links,
            typed("supply_links", {"buyer": ["SUB-RU"], "part": ["CAR"], "supplier": ["VAZ"], "share": [1.0]}),
        ]
    )
    with pytest.raises(
        AnalysisError, match=r"supply cycle.*SUB-RU/SUBSTRATE.*LED-CN/LED.*LAMP-BY/LAMP.*VAZ/CAR"
    ) as exc:
        compile(ds.replace(bom=bom, supply_links=links))
    assert "BRK" not in str(exc.value)


def test_supplier_must_produce_the_part() -> None:
    ds = three_tier()
    links = ds.supply_links.with_columns(
        pl.when(pl.col("supplier") == "LED-CN").then(pl.lit("BRK-DE")).otherwise(pl.col("supplier")).alias("supplier")
    )
    with pytest.raises(AnalysisError, match=r"supplier does not produce the part: BRK-DE → LAMP-BY \(LED\)"):
        compile(ds.replace(supply_links=links))


def test_unknown_site_in_production() -> None:
    ds = three_tier()
    prod = pl.concat([ds.production, ds.production.head(1).with_columns(pl.lit("GHOST").alias("site"))])
    with pytest.raises(AnalysisError, match=r"sheet production: unknown site 'GHOST'"):
        compile(ds.replace(production=prod))


def test_duplicate_production_is_named() -> None:
    ds = three_tier()
    prod = pl.concat([ds.production, ds.production.filter(pl.col("site") == "LED-CN")])
    with pytest.raises(AnalysisError, match=r"sheet production: duplicate production of LED-CN/LED"):
        compile(ds.replace(production=prod))
