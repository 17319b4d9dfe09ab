"""Balance of demand and capacity in the group, per part and year, with projects' ramp-up."""

from __future__ import annotations

import polars as pl
import pytest

from importsub.analysis.balance import balance, balance_years
from importsub.compile import compile
from importsub.model.errors import AnalysisError
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
