"""Balance of demand and capacity in the group, per part and year, with projects' ramp-up."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis.balance import balance, balance_years, pool_allocation
from importsub.analysis.demand import gross_output
from importsub.compile import compile
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from importsub.model.validate import check
from test_compile import three_tier


def with_projects() -> pl.DataFrame:
    ds = three_tier(
        projects=pl.DataFrame(
            {
                "id": ["P-LED", "P-DE", "P-NOHOST"],
                "name": ["LED Rudensk", "Abroad", "Unsited"],
                "host_site": ["LAMP-BY", "BRK-DE", None],
            }
        ),
        project_outputs=pl.DataFrame(
            {
                "project": ["P-LED", "P-DE", "P-NOHOST"],
                "part": ["LED", "PAD", "PAD"],
                "capacity": [10_000.0, 9_000.0, 9_000.0],
            }
        ),
        project_rampup=pl.DataFrame(
            {
                "project": ["P-LED", "P-LED", "P-DE", "P-NOHOST"],
                "year": [2022, 2024, 2020, 2020],
                "fraction": [0.2, 0.5, 1.0, 1.0],
            }
        ),
    )
    return ds


def rows(result_parts: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {r["part"]: r for r in result_parts.iter_rows(named=True)}


def test_three_tier_by_hand() -> None:
    r = balance(compile(three_tier()))
    p = rows(r["parts"])
    # PAD: BRK-RU makes 3,000 brakes × 2 pads = 6,000 (BRK-DE is outside the group); no producer → gap 6,000 × 1,000 RUB
    assert p["PAD"]["demand [units/yr]"] == pytest.approx(6_000.0)
    assert p["PAD"]["gap [units/yr]"] == pytest.approx(6_000.0)
    assert p["PAD"]["gap [RUB/yr]"] == pytest.approx(6e6)
    assert p["PAD"]["self-sufficiency [%]"] == 0.0
    # BRAKE: VAZ needs 4 × 1,000 = 4,000; capacity 4,000 + 500 = 4,500 → 112.5 %, surplus 500 × 10,000 RUB
    assert p["BRAKE"]["demand [units/yr]"] == pytest.approx(4_000.0)
    assert p["BRAKE"]["capacity [units/yr]"] == pytest.approx(4_500.0)
    assert p["BRAKE"]["self-sufficiency [%]"] == pytest.approx(112.5)
    assert p["BRAKE"]["export surplus [RUB/yr]"] == pytest.approx(5e6)
    assert p["BRAKE"]["gap [units/yr]"] == 0.0
    # LED: LAMP-BY needs 4 × 2,000 = 8,000, none made in the group
    assert p["LED"]["gap [units/yr]"] == pytest.approx(8_000.0)
    assert p["LED"]["gap [RUB/yr]"] == pytest.approx(4e6)
    # CAR: final demand 1,000 vs capacity 1,200
    assert p["CAR"]["self-sufficiency [%]"] == pytest.approx(120.0)
    # SUBSTRATE: made in RU, used only by the CN LED maker → no group demand: ratio undefined, all surplus
    assert p["SUBSTRATE"]["self-sufficiency [%]"] is None
    assert p["SUBSTRATE"]["export surplus [units/yr]"] == pytest.approx(50_000.0)
    s = r["summary"].row(0, named=True)
    assert s["parts with a gap"] == 2
    assert s["gap [RUB/yr]"] == pytest.approx(1e7)
    # gaps first
    assert r["parts"]["part"].to_list()[:2] == ["PAD", "LED"]


def test_projects_by_ramp_up() -> None:
    ds = with_projects()
    p = rows(balance(compile(ds))["parts"])
    # 2024: P-LED at 50 % of 10,000 = 5,000 LED in BY; gap 8,000 − 5,000 = 3,000 (1.5 M RUB); 62.5 %
    assert p["LED"]["capacity (projects) [units/yr]"] == pytest.approx(5_000.0)
    assert p["LED"]["gap [units/yr]"] == pytest.approx(3_000.0)
    assert p["LED"]["gap [RUB/yr]"] == pytest.approx(1.5e6)
    assert p["LED"]["self-sufficiency [%]"] == pytest.approx(62.5)
    # PAD projects do not count: one is hosted in DE (outside), one has no host site
    assert p["PAD"]["capacity (projects) [units/yr]"] == 0.0
    # 2023: no ramp-up row, the 2022 level (20 %) holds: 2,000 of the 6,400 LEDs (4 × 2 × 800 cars)
    p23 = rows(balance(compile(ds, year=2023))["parts"])
    assert p23["LED"]["capacity (projects) [units/yr]"] == pytest.approx(2_000.0)
    assert p23["LED"]["demand [units/yr]"] == pytest.approx(6_400.0)


def test_balance_years_and_single_country() -> None:
    ds = with_projects()
    r = balance_years(ds)
    assert r["summary"]["year"].to_list() == [2023, 2024]
    assert r.fingerprint["year"] == [2023, 2024]
    led = r["parts"].filter(pl.col("part") == "LED").sort("year")
    assert led["capacity (projects) [units/yr]"].to_list() == pytest.approx([2_000.0, 5_000.0])
    # BY alone: it makes lamps (3,000) but nothing in BY uses lamps → all surplus; it needs 8,000 LEDs
    by = rows(balance(compile(three_tier()), "BY")["parts"])
    assert by["LAMP"]["demand [units/yr]"] == 0.0
    assert by["LAMP"]["export surplus [units/yr]"] == pytest.approx(3_000.0)
    assert by["LED"]["demand [units/yr]"] == pytest.approx(8_000.0)
    assert "BRAKE" not in by


def test_errors() -> None:
    with pytest.raises(AnalysisError, match="unknown country group"):
        balance(compile(three_tier()), "nowhere")
    with pytest.raises(AnalysisError, match="no demand in year 2031"):
        balance_years(three_tier(), [2031])


# ---------------------------------------------------------------- capacity pools (issue 9, item 3)


def pooled(
    pool: float, caps: tuple[float, ...], units: tuple[float, ...], *, cars: float = 0.0, car_cap: float = 0.0
) -> Dataset:
    """One RU site making models M0, M1, … on one flexible line of capacity ``pool``
    (own capacities ``caps``, final demand ``units``).  With ``car_cap`` > 0 a second
    site makes a model CAR outside any pool (capacity ``car_cap``, demand ``cars``)."""
    k = len(caps)
    models = [f"M{i}" for i in range(k)]
    sites = ["P"] + (["Q"] if car_cap > 0 else [])
    parts = models + (["CAR"] if car_cap > 0 else [])
    prod_site = ["P"] * k + (["Q"] if car_cap > 0 else [])
    prod_cap = list(caps) + ([car_cap] if car_cap > 0 else [])
    pools = ["line"] * k + ([None] if car_cap > 0 else [])
    dem_units = list(units) + ([cars] if car_cap > 0 else [])
    return Dataset.from_frames(
        "pooled",
        {
            "countries": pl.DataFrame({"iso2": ["RU"], "name": ["Russia"]}),
            "country_groups": pl.DataFrame({"group": ["union"], "iso2": ["RU"]}),
            "organizations": pl.DataFrame({"id": ["O"], "name": ["O"], "country": ["RU"], "kind": ["oem"]}),
            "sites": pl.DataFrame(
                {
                    "id": sites,
                    "organization": ["O"] * len(sites),
                    "name": sites,
                    "country": ["RU"] * len(sites),
                    "lat": [55.0] * len(sites),
                    "lon": [37.0] * len(sites),
                }
            ),
            "parts": pl.DataFrame(
                {
                    "id": parts,
                    "name": parts,
                    "category": ["vehicle"] * len(parts),
                    "unit_value": [1_000.0 * (i + 1) for i in range(len(parts))],
                }
            ),
            "capacity_pools": pl.DataFrame({"site": ["P"], "pool": ["line"], "capacity": [pool]}),
            "production": pl.DataFrame(
                {"site": prod_site, "part": parts, "capacity": prod_cap, "pool": pools},
                schema_overrides={"pool": pl.String},
            ),
            "demand": pl.DataFrame({"site": prod_site, "part": parts, "year": [2026] * len(parts), "units": dem_units}),
        },
    )


def test_pool_caps_its_parts_by_hand() -> None:
    # the BELAZ case: line 1,000 trucks/yr; own capacities 800 and 350 (sum 1,150 > 1,000);
    # demand 779 + 303 = 1,082.  Usable = min(1,000, 1,150) = 1,000, split by demand:
    # M0 1,000 · 779/1,082 = 719.963…, M1 1,000 · 303/1,082 = 280.037… (neither above its own capacity);
    # gaps 779 − 719.963 = 59.037 and 303 − 280.037 = 22.963, together 82 = 1,082 − 1,000.
    r = balance(compile(check(pooled(1_000.0, (800.0, 350.0), (779.0, 303.0)))))
    p = rows(r["parts"])
    assert p["M0"]["capacity [units/yr]"] == pytest.approx(1_000 * 779 / 1_082)
    assert p["M1"]["capacity [units/yr]"] == pytest.approx(1_000 * 303 / 1_082)
    assert p["M0"]["in pools [units/yr]"] == pytest.approx(1_000 * 779 / 1_082)
    assert p["M0"]["gap [units/yr]"] + p["M1"]["gap [units/yr]"] == pytest.approx(82.0)
    assert p["M0"]["export surplus [units/yr]"] == p["M1"]["export surplus [units/yr]"] == 0.0
    # both short by the same fraction: 1,000 / 1,082 = 92.42 %
    assert p["M0"]["self-sufficiency [%]"] == pytest.approx(100_000 / 1_082)
    assert p["M1"]["self-sufficiency [%]"] == pytest.approx(100_000 / 1_082)
    pool = r["pools"].row(0, named=True)
    assert (pool["site"], pool["pool"], pool["parts"]) == ("P", "line", "M0, M1")
    assert pool["capacity [units/yr]"] == 1_000.0
    assert pool["parts' own capacity [units/yr]"] == 1_150.0
    assert pool["usable capacity [units/yr]"] == 1_000.0
    assert pool["derived demand [units/yr]"] == 1_082.0
    assert pool["gap [units/yr]"] == pytest.approx(82.0)
    assert pool["spare [units/yr]"] == 0.0
    # gap valued per part: 59.037 × 1,000 + 22.963 × 2,000 RUB
    assert pool["gap [RUB/yr]"] == pytest.approx(
        (779 - 1_000 * 779 / 1_082) * 1_000 + (303 - 1_000 * 303 / 1_082) * 2_000
    )
    s = r["summary"].row(0, named=True)
    assert (s["pools"], s["pools with a gap"]) == (1, 1)
    assert "proportion to derived demand" in r.fingerprint["pool rule"]


def test_pool_capped_part_and_re_spread_by_hand() -> None:
    # line 1,000; M0 own 500, demand 900; M1 own 800, demand 300.
    # by demand M0 would get 1,000 · 900/1,200 = 750 > 500: capped at 500, the other 500 go to M1
    # (500 ≤ 800).  M0 gap 400, M1 surplus 200; the pool's gap is 1,200 − 1,000 = 200.
    p = rows(balance(compile(check(pooled(1_000.0, (500.0, 800.0), (900.0, 300.0)))))["parts"])
    assert p["M0"]["capacity [units/yr]"] == pytest.approx(500.0)
    assert p["M1"]["capacity [units/yr]"] == pytest.approx(500.0)
    assert p["M0"]["gap [units/yr]"] == pytest.approx(400.0)
    assert p["M1"]["export surplus [units/yr]"] == pytest.approx(200.0)
    # a part without demand: line 1,000; M0 own 600, demand 100; M1 own 900, demand 0.
    # M0 takes all it can (600, its own capacity); the remaining 400 go to M1 by its capacity.
    p = rows(balance(compile(check(pooled(1_000.0, (600.0, 900.0), (100.0, 0.0)))))["parts"])
    assert p["M0"]["capacity [units/yr]"] == pytest.approx(600.0)
    assert p["M1"]["capacity [units/yr]"] == pytest.approx(400.0)
    # a pool larger than its parts: no part gets more than its own capacity (300 + 200 of 1,000)
    p = rows(balance(compile(check(pooled(1_000.0, (300.0, 200.0), (250.0, 250.0)))))["parts"])
    assert p["M0"]["capacity [units/yr]"] == pytest.approx(300.0)
    assert p["M1"]["capacity [units/yr]"] == pytest.approx(200.0)
    assert p["M1"]["gap [units/yr]"] == pytest.approx(50.0)
    # a part outside the pool keeps its own capacity
    p = rows(balance(compile(check(pooled(100.0, (80.0, 80.0), (60.0, 60.0), cars=10.0, car_cap=70.0))))["parts"])
    assert p["CAR"]["capacity [units/yr]"] == 70.0
    assert p["CAR"]["in pools [units/yr]"] == 0.0
    assert p["M0"]["capacity [units/yr]"] + p["M1"]["capacity [units/yr]"] == pytest.approx(100.0)


def _proportional_by_bisection(pool: float, caps: list[float], x: list[float]) -> list[float]:
    """Independent reference: a_j = min(c_j, λ x_j) with λ found by bisection so that
    Σ a = min(U, Σ_{x>0} c); leftover to parts without demand by their capacity."""
    usable = min(pool, sum(caps))
    with_demand = [c for c, d in zip(caps, x, strict=True) if d > 0]
    target = min(usable, sum(with_demand))
    lo, hi = 0.0, 1.0
    while sum(min(c, hi * d) for c, d in zip(caps, x, strict=True)) < target - 1e-12 and hi < 1e18:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(min(c, mid * d) for c, d in zip(caps, x, strict=True)) < target:
            lo = mid
        else:
            hi = mid
    a = [min(c, hi * d) if d > 0 else 0.0 for c, d in zip(caps, x, strict=True)]
    left = usable - sum(a)
    idle = sum(c for c, d in zip(caps, x, strict=True) if d <= 0)
    return [ai + (left * c / idle if d <= 0 and idle > 0 else 0.0) for ai, c, d in zip(a, caps, x, strict=True)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pool=st.floats(10.0, 5_000.0),
    members=st.lists(
        st.tuples(st.floats(1.0, 3_000.0), st.sampled_from([0.0, 1.0, 50.0, 400.0, 2_500.0])), min_size=1, max_size=5
    ),
)
def test_pool_allocation_properties(pool: float, members: list[tuple[float, float]]) -> None:
    caps = [c for c, _ in members]
    units = [u for _, u in members]
    net = compile(check(pooled(pool, tuple(caps), tuple(units))))
    x = gross_output(net)
    a = pool_allocation(net, x)
    usable = min(pool, sum(caps))
    # never more than a part's own capacity, never below zero, never more than the pool or its parts have
    assert np.all(a <= np.asarray(caps) * (1 + 1e-12) + 1e-9)
    assert np.all(a >= 0.0)
    assert a.sum() <= usable * (1 + 1e-12) + 1e-9
    # the whole usable capacity is handed out
    assert a.sum() == pytest.approx(usable, rel=1e-9)
    # same as the independent λ-bisection construction
    ref = _proportional_by_bisection(pool, caps, [float(v) for v in x])
    assert a == pytest.approx(ref, rel=1e-7, abs=1e-6)
    # no gap where the pool and the parts can serve everything
    if sum(units) <= usable and all(u <= c for u, c in zip(units, caps, strict=True)):
        assert np.all(a >= np.asarray(units) * (1 - 1e-12) - 1e-9)
    # balance reports the same pool-limited capacity
    p = rows(balance(net)["parts"])
    for i, c in enumerate(a):
        listed = p.get(f"M{i}")  # a part with neither demand nor capacity is not listed
        assert (listed["capacity (existing) [units/yr]"] if listed else 0.0) == pytest.approx(c)


def test_demo_pools_2026() -> None:
    """BELAZ's line (1,000 trucks/yr) cannot build 1,082 trucks: a gap of at least 82; the Lada and
    KAMAZ lines credit their models no more than the line's capacity."""
    from importsub import demo

    r = balance(compile(demo.load(), year=2026))
    pools = {row["pool"]: row for row in r["pools"].iter_rows(named=True)}
    assert pools["BELAZ main line"]["gap [units/yr]"] >= 82.0 - 1e-9
    p = rows(r["parts"])
    assert p["BELAZ-7513"]["gap [units/yr]"] + p["BELAZ-7530"]["gap [units/yr]"] >= 82.0 - 1e-9
    assert p["BELAZ-7513"]["export surplus [units/yr]"] == p["BELAZ-7530"]["export surplus [units/yr]"] == 0.0
    for pool, models in (
        ("Lada B line", ("LADA-GRANTA", "LADA-LARGUS")),
        ("KAMAZ main line", ("KAMAZ-54901", "KAMAZ-65115")),
    ):
        credited = sum(p[m]["capacity (existing) [units/yr]"] for m in models)
        assert credited == pytest.approx(pools[pool]["usable capacity [units/yr]"])
        assert credited <= pools[pool]["capacity [units/yr]"] + 1e-6
