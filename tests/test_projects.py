"""Applying projects and their impact: a hand-worked two-OEM lamp network, the demo, properties.

The builder :func:`lamps` is shared with tests/test_portfolio.py.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub import demo
from importsub.analysis.demand import gross_output
from importsub.analysis.localisation import domestic_content, localisation
from importsub.analysis.projects import (
    ALL,
    PROJECT_RULE,
    application,
    compile_with_projects,
    figures,
    impact,
    rampup_fraction,
    without_projects,
)
from importsub.compile import compile
from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError
from importsub.model.validate import check

# ---------------------------------------------------------------- the hand-worked lamp network
#
#  VAZ (RU)     CAR   v = 1,000 RUB  BOM: 2 LAMP        demand 1,000/yr   → needs 2,000 LAMP
#  BUS (RU)     BUSV  v = 5,000 RUB  BOM: 3 LAMP        demand   100/yr   → needs   300 LAMP
#  LAMP-DE (DE) LAMP  v =   100 RUB  (foreign leaf: its inputs are not mapped, L = 0)
#  CHIP-CN (CN) CHIP  v =    10 RUB
#  LAMP-BY (BY) makes nothing yet; it has contracted CHIP from CHIP-CN (share 1, no need yet)
#  BOM of LAMP: 2 CHIP.  Both OEMs buy LAMP 100 % from LAMP-DE.
#
#  Project P-LAMP at LAMP-BY: LAMP, target 1,000/yr; ramp-up 2025: 0.5, 2026: 1.0 (0 in 2024);
#  substitutable links VAZ←LAMP-DE and BUS←LAMP-DE; capex 1e9 RUB.
#
#  Own value added: w_CAR = 1 − 2·100/1000 = 0.8; w_BUSV = 1 − 3·100/5000 = 0.94;
#  new node LAMP-BY/LAMP: w = 1 − 2·10/100 = 0.8, its CHIP is Chinese, so L = 0.8.
#  Before: L_CAR = 0.8, L_BUSV = 0.94.  Demand values: CAR 1e6, BUSV 5e5 RUB/yr.
#  DVA = 0.8·1e6 + 0.94·5e5 = 1.27e6 → import content 1 − 1.27/1.5 = 15.333… %.
#  2025: K = 500; VAZ's link carries 2,000 > BUS's 300, so VAZ goes first and takes 500:
#        share LAMP-DE 0.75, LAMP-BY 0.25; L_CAR = 0.8 + 0.2·0.25·0.8 = 0.84;
#        DVA = 0.84e6 + 0.47e6 = 1.31e6 → 12.666… %, change −2.666… pp; capex/pp = 3.75e8 RUB.
#  2026: K = 1,000 → VAZ shares 0.5 / 0.5; L_CAR = 0.88 → DVA 1.35e6 → 10 %.
#  Balance 2025 (union): LAMP demand 2,300, capacity 0 → 500: Δ gap = −500·100 = −50,000 RUB/yr;
#        CHIP: LAMP-BY now needs 2·500 = 1,000 CHIP, none made in the union: Δ gap = +10,000 RUB/yr.


def lamps(
    target: float = 1000.0,
    rampup: dict[int, float] | None = None,
    capex: float = 1e9,
    extra: dict[str, pl.DataFrame] | None = None,
) -> Dataset:
    rampup = {2025: 0.5, 2026: 1.0} if rampup is None else rampup
    frames: dict[str, pl.DataFrame] = {
        "countries": pl.DataFrame(
            {
                "iso2": ["RU", "BY", "DE", "CN"],
                "name": ["Russia", "Belarus", "Germany", "China"],
                "name_local": ["Россия", "Беларусь", None, None],
            }
        ),
        "country_groups": pl.DataFrame(
            {"group": ["union", "union", "external", "external"], "iso2": ["BY", "RU", "DE", "CN"]}
        ),
        "organizations": pl.DataFrame(
            {
                "id": ["VAZ", "BUS", "LDE", "LBY", "CCN"],
                "name": ["AvtoVAZ", "Bus maker", "Lamp maker DE-1", "Lamp maker BY", "Chip maker CN-1"],
                "country": ["RU", "RU", "DE", "BY", "CN"],
                "kind": ["oem", "oem", "supplier", "supplier", "supplier"],
            }
        ),
        "sites": pl.DataFrame(
            {
                "id": ["VAZ", "BUS", "LAMP-DE", "LAMP-BY", "CHIP-CN"],
                "organization": ["VAZ", "BUS", "LDE", "LBY", "CCN"],
                "name": ["Togliatti", "Pavlovo", "Bavaria", "Rudensk", "Shenzhen"],
                "name_local": ["Тольятти", "Павлово", None, "Руденск", None],
                "country": ["RU", "RU", "DE", "BY", "CN"],
                "region": [None, None, None, "Minsk region", None],
                "lat": [53.5, 55.9, 48.1, 53.6, 22.5],
                "lon": [49.4, 43.1, 11.6, 27.9, 114.1],
            }
        ),
        "parts": pl.DataFrame(
            {
                "id": ["CAR", "BUSV", "LAMP", "CHIP"],
                "name": ["Car", "Bus", "Headlamp", "LED chip"],
                "category": ["vehicle", "vehicle", "lighting", "electronics"],
                "unit_value": [1000.0, 5000.0, 100.0, 10.0],
            }
        ),
        "bom": pl.DataFrame(
            {"parent": ["CAR", "BUSV", "LAMP"], "child": ["LAMP", "LAMP", "CHIP"], "quantity": [2.0, 3.0, 2.0]}
        ),
        "production": pl.DataFrame(
            {
                "site": ["VAZ", "BUS", "LAMP-DE", "CHIP-CN"],
                "part": ["CAR", "BUSV", "LAMP", "CHIP"],
                "capacity": [2000.0, 200.0, 10000.0, 100000.0],
                "time_to_recover": [4.0, 4.0, 8.0, 6.0],
            }
        ),
        "supply_links": pl.DataFrame(
            {
                "buyer": ["VAZ", "BUS", "LAMP-BY"],
                "part": ["LAMP", "LAMP", "CHIP"],
                "supplier": ["LAMP-DE", "LAMP-DE", "CHIP-CN"],
                "share": [1.0, 1.0, 1.0],
                "lead_time": [6.0, 6.0, 8.0],
            }
        ),
        "demand": pl.DataFrame(
            {
                "site": ["VAZ", "BUS"] * 3,
                "part": ["CAR", "BUSV"] * 3,
                "year": [2024, 2024, 2025, 2025, 2026, 2026],
                "units": [1000.0, 100.0] * 3,
                "margin": [100.0, 500.0] * 3,
            }
        ),
        "projects": pl.DataFrame(
            {
                "id": ["P-LAMP"],
                "name": ["Headlamps, Rudensk"],
                "name_local": ["Фары, Руденск"],
                "host_site": ["LAMP-BY"],
                "capex": [capex],
                "status": ["construction"],
                "mrl": [6],
            }
        ),
        "project_outputs": pl.DataFrame({"project": ["P-LAMP"], "part": ["LAMP"], "capacity": [target]}),
        "project_rampup": pl.DataFrame(
            {"project": ["P-LAMP"] * len(rampup), "year": list(rampup), "fraction": list(rampup.values())}
        ),
        "project_substitutes": pl.DataFrame(
            {"project": ["P-LAMP"] * 2, "buyer": ["VAZ", "BUS"], "part": ["LAMP"] * 2, "supplier": ["LAMP-DE"] * 2}
        ),
    }
    frames.update(extra or {})
    return check(Dataset.from_frames("lamps", frames))


def shares(ds: Dataset) -> dict[tuple[str, str, str], float]:
    return {(b, p, s): v for b, p, s, v in ds.supply_links.select("buyer", "part", "supplier", "share").iter_rows()}


def test_hand_worked_application() -> None:
    app = application(lamps(), ["P-LAMP"], 2025)
    s = shares(app.dataset)
    assert s[("VAZ", "LAMP", "LAMP-DE")] == pytest.approx(0.75)
    assert s[("VAZ", "LAMP", "LAMP-BY")] == pytest.approx(0.25)
    assert s[("BUS", "LAMP", "LAMP-DE")] == pytest.approx(1.0)
    assert ("BUS", "LAMP", "LAMP-BY") not in s
    prod = app.dataset.production.filter(pl.col("site") == "LAMP-BY")
    assert prod.get_column("capacity").to_list() == [500.0]
    assert prod.get_column("time_to_recover").to_list() == [0.0]  # LAMP-BY makes nothing else
    # the new link's lead time: LAMP-BY ships nothing yet → 0
    lt = app.dataset.supply_links.filter(pl.col("supplier") == "LAMP-BY").get_column("lead_time").to_list()
    assert lt == [0.0]
    t = app.takeovers.sort("buyer")
    assert t.get_column("volume [units/yr]").to_list() == pytest.approx([300.0, 2000.0])
    assert t.get_column("taken over [units/yr]").to_list() == pytest.approx([0.0, 500.0])
    assert app.capacity.get_column("capacity added [units/yr]").to_list() == [500.0]
    assert app.capacity.get_column("new production").to_list() == [True]
    # the applied project's outputs left project_outputs; the stored dataset is untouched
    assert app.dataset.project_outputs.height == 0
    assert lamps().project_outputs.height == 1
    check(app.dataset)  # shares still sum to 1, every reference holds


def test_largest_import_first_spills_over() -> None:
    # 2026 at scale 2.1: K = 2,100 → VAZ's 2,000 first (share 0), then 100 of BUS's 300 (share 1/3)
    app = application(lamps(), ["P-LAMP"], 2026, scale=2.1)
    s = shares(app.dataset)
    assert s[("VAZ", "LAMP", "LAMP-DE")] == pytest.approx(0.0, abs=1e-12)
    assert s[("VAZ", "LAMP", "LAMP-BY")] == pytest.approx(1.0)
    assert s[("BUS", "LAMP", "LAMP-BY")] == pytest.approx(1 / 3)
    assert s[("BUS", "LAMP", "LAMP-DE")] == pytest.approx(2 / 3)
    assert app.capacity.get_column("taken over [units/yr]").item() == pytest.approx(2100.0)


def test_hand_worked_localisation_and_balance() -> None:
    ds = lamps()
    net = compile_with_projects(ds, ["P-LAMP"], 2025)
    L = domestic_content(net)
    assert L[net.node("VAZ", "CAR")] == pytest.approx(0.84)
    assert L[net.node("BUS", "BUSV")] == pytest.approx(0.94)
    assert L[net.node("LAMP-BY", "LAMP")] == pytest.approx(0.8)
    x = gross_output(net)
    assert x[net.node("LAMP-BY", "LAMP")] == pytest.approx(500.0)
    assert net.fingerprint["projects"] == ["P-LAMP"]
    assert net.fingerprint["project rule"] == PROJECT_RULE
    assert net.fingerprint["base content"] == ds.fingerprint()

    r = impact(ds, years=[2025, 2026], scenarios=[])
    s = r["summary"].sort("year")
    assert s.get_column("import content before [%]").to_list() == pytest.approx([100 * (1 - 1.27 / 1.5)] * 2)
    assert s.get_column("import content after [%]").to_list() == pytest.approx([100 * (1 - 1.31 / 1.5), 10.0])
    assert s.get_column("Δ import content [pp]")[0] == pytest.approx(-100 * 0.04 / 1.5)
    assert s.get_column("capex per pp [RUB/pp]")[0] == pytest.approx(1e9 / (100 * 0.04 / 1.5))
    assert s.get_column("Δ domestic value added [RUB/yr]").to_list() == pytest.approx([40_000.0, 80_000.0])
    assert s.get_column("Δ gap [RUB/yr]")[0] == pytest.approx(-50_000.0 + 10_000.0)
    assert s.get_column("capacity added [units/yr]").to_list() == [500.0, 1000.0]
    b = r["balance"].filter(pl.col("year") == 2025).sort("part")
    assert b.get_column("part").to_list() == ["CHIP", "LAMP"]
    assert b.get_column("Δ gap [RUB/yr]").to_list() == pytest.approx([10_000.0, -50_000.0])
    oem = r["oems"].filter(pl.col("year") == 2025).sort("organization")
    assert oem.get_column("change [pp]").to_list() == pytest.approx([0.0, -4.0])  # BUS, VAZ
    assert r.fingerprint["projects"] == ["P-LAMP"]


def test_zero_rampup_changes_nothing() -> None:
    ds = lamps()
    assert rampup_fraction(ds, 2024) == {"P-LAMP": 0.0}
    plain = compile(without_projects(ds), None, 2024)
    net = compile_with_projects(ds, ["P-LAMP"], 2024)
    assert net.n_nodes == plain.n_nodes
    assert net.n_links == plain.n_links
    np.testing.assert_array_equal(net.capacity, plain.capacity)
    np.testing.assert_array_equal(net.A.toarray(), plain.A.toarray())
    np.testing.assert_array_equal(domestic_content(net), domestic_content(plain))
    r = impact(ds, years=[2024], scenarios=[])
    row = r["summary"].row(0, named=True)
    assert row["Δ import content [pp]"] == 0.0
    assert row["Δ gap [RUB/yr]"] == 0.0
    assert row["capex per pp [RUB/pp]"] is None
    assert r["balance"].height == 0


def test_demo_zero_rampup_and_no_host_change_nothing() -> None:
    ds = demo.load()
    # Orsha's ramp-up is 0 in 2025; the braking project has no host site at all
    plain = compile(without_projects(ds), None, 2025)
    for pid in ("P-RINGS-ORSHA", "P-BRAKES"):
        net = compile_with_projects(ds, [pid], 2025)
        np.testing.assert_array_equal(net.capacity, plain.capacity)
        np.testing.assert_array_equal(net.link_share, plain.link_share)
        np.testing.assert_allclose(domestic_content(net), domestic_content(plain), rtol=0, atol=0)
    app = application(ds, ["P-BRAKES"], 2030)
    assert app.capacity.get_column("capacity added [units/yr]").sum() == 0.0
    assert app.capacity.get_column("note").str.contains("no host site").all()


def test_demo_all_projects_validate_and_match_localisation() -> None:
    ds = demo.load()
    app = application(ds, None, 2028, scenario="projects-2028")
    assert set(app.projects) == {"P-LED-RUDENSK", "P-BRAKES", "P-RINGS-ORSHA", "P-PLASTICS-TLT"}
    check(app.dataset)
    net = compile_with_projects(ds, None, 2028, scenario="projects-2028")
    # the impact figures agree with the localisation analysis (independent code path)
    f = figures(net)
    loc = localisation(net, paths=0)["vehicles"]
    joined = f.vehicles.join(loc.select("part", pl.col("import content [%]").alias("ref")), on="part")
    assert joined.height == f.vehicles.height > 0
    np.testing.assert_allclose(joined.get_column("import content [%]"), joined.get_column("ref"), atol=1e-9)
    w = loc.get_column("demand value [RUB/yr]").to_numpy()
    ic = loc.get_column("import content [%]").to_numpy()
    assert f.import_content == pytest.approx(float((w * ic).sum() / w.sum()), abs=1e-9)


def test_demo_impact_table() -> None:
    ds = demo.load()
    r = impact(ds, years=[2026, 2028], scenarios=[])
    s = r["summary"]
    assert s.height == 2 * 5  # four projects and ALL, two years
    brakes = s.filter(pl.col("project") == "P-BRAKES")
    assert (brakes.get_column("Δ import content [pp]") == 0).all()
    led = s.filter((pl.col("project") == "P-LED-RUDENSK") & (pl.col("year") == 2028)).row(0, named=True)
    assert led["Δ import content [pp]"] < 0
    assert led["capex per pp [RUB/pp]"] == pytest.approx(6e9 / -led["Δ import content [pp]"])
    every = s.filter(pl.col("project") == ALL)
    assert (every.get_column("capex [RUB]") == 27e9).all()
    assert {"vehicles", "oems", "categories", "balance", "shocks", "capacity", "takeovers"} <= set(r.names)


def test_unknown_project() -> None:
    with pytest.raises(NotFoundError, match="P-NOPE"):
        application(lamps(), ["P-NOPE"], 2025)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.floats(10.0, 5000.0),
    frac=st.floats(0.0, 1.0),
    scale=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_application_properties(target: float, frac: float, scale: float) -> None:
    ds = lamps(target=target, rampup={2025: frac})
    app = application(ds, ["P-LAMP"], 2025, scale=scale)
    K = target * frac * scale
    taken = app.takeovers.get_column("taken over [units/yr]").to_numpy()
    # each link gives at most its volume; all links together at most the capacity
    assert (taken <= app.takeovers.get_column("volume [units/yr]").to_numpy() + 1e-9).all()
    assert taken.sum() == pytest.approx(min(K, 2300.0), rel=1e-9, abs=1e-9)
    s = app.dataset.supply_links.group_by("buyer", "part").agg(pl.col("share").sum())
    np.testing.assert_allclose(s.get_column("share").to_numpy(), 1.0, atol=1e-12)
    # the domestic lamp replaces a foreign one: no vehicle's domestic content falls
    net = compile_with_projects(ds, ["P-LAMP"], 2025, scale=scale)
    plain = compile(without_projects(ds), None, 2025)
    L1, L0 = domestic_content(net), domestic_content(plain)
    for site, part in (("VAZ", "CAR"), ("BUS", "BUSV")):
        assert L1[net.node(site, part)] >= L0[plain.node(site, part)] - 1e-12
