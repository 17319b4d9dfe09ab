"""Concentration: HHI by hand, single sources, choke points, strategic dependence."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from importsub.analysis.concentration import concentration, hhi
from importsub.compile import compile
from importsub.model.errors import AnalysisError
from test_compile import three_tier, typed


def test_hhi_by_hand() -> None:
    assert hhi(np.array([0.5, 0.5])) == pytest.approx(0.5)
    assert hhi(np.array([0.75, 0.25])) == pytest.approx(0.625)  # 0.5625 + 0.0625
    assert hhi(np.array([0.6, 0.3, 0.1])) == pytest.approx(0.46)  # 0.36 + 0.09 + 0.01
    assert hhi(np.array([1.0])) == 1.0
    assert hhi(np.array([3.0, 1.0])) == pytest.approx(0.625)  # shares are normalised


def three_suppliers() -> pl.DataFrame:
    # VAZ buys BRAKE 50 % BRK-RU, 25 % BRK-RU2 (RU), 25 % BRK-DE
    ds = three_tier()
    return ds.supply_links.with_columns(
        pl.when(pl.col("supplier") == "BRK-RU")
        .then(0.5)
        .when(pl.col("supplier") == "BRK-RU2")
        .then(0.25)
        .otherwise(pl.col("share"))
        .alias("share")
    )


def test_buyers_by_hand() -> None:
    ds = three_tier()
    net = compile(ds.replace(supply_links=three_suppliers()))
    r = concentration(net)
    row = r["buyers"].filter((pl.col("buyer") == "VAZ") & (pl.col("part") == "BRAKE")).row(0, named=True)
    # suppliers: 0.5² + 0.25² + 0.25² = 0.375; countries: RU 0.75, DE 0.25 → 0.5625 + 0.0625 = 0.625
    assert row["HHI suppliers [0-1]"] == pytest.approx(0.375)
    assert row["HHI countries [0-1]"] == pytest.approx(0.625)
    assert row["suppliers"] == 3
    assert not row["single source"]
    assert row["qualified alternatives"] == 0
    assert row["imported share [%]"] == pytest.approx(25.0)
    assert row["need [units/yr]"] == pytest.approx(4_000.0)  # 4 brakes × 1,000 cars
    # in the original network the share-0 BRK-RU2 is a qualified alternative, not a supplier
    orig = concentration(compile(ds))["buyers"]
    brake = orig.filter((pl.col("buyer") == "VAZ") & (pl.col("part") == "BRAKE")).row(0, named=True)
    assert brake["suppliers"] == 2
    assert brake["qualified alternatives"] == 1
    assert brake["HHI suppliers [0-1]"] == pytest.approx(0.625)
    singles = orig.filter(pl.col("single source")).select("buyer", "part").rows()
    assert sorted(singles) == [("LAMP-BY", "LED"), ("LED-CN", "SUBSTRATE"), ("VAZ", "LAMP")]


def test_choke_points_threshold() -> None:
    net = compile(three_tier())
    # LED-CN serves all 8,000 LEDs the group (LAMP-BY) needs: 100 %;
    # BRK-DE serves 1,000 of the group's 4,000 brakes: 25 %
    r = concentration(net, choke_share=0.3)
    assert r["choke points"].select("part", "supplier").rows() == [("LED", "LED-CN")]
    assert r["choke points"]["share of group need [%]"].to_list() == pytest.approx([100.0])
    low = concentration(net, choke_share=0.2)["choke points"]
    assert low.select("supplier").to_series().to_list() == ["LED-CN", "BRK-DE"]
    assert low["share of group need [%]"].to_list() == pytest.approx([100.0, 25.0])


def test_strategic_dependence() -> None:
    ds = three_tier()
    r = concentration(compile(ds))["strategic"]
    rows = {row["part"]: row for row in r.iter_rows(named=True)}
    # LED: all imports from CN (HHI 1), no group producer → strategic
    assert rows["LED"]["strategic dependence"]
    assert rows["LED"]["HHI import origins [0-1]"] == pytest.approx(1.0)
    assert rows["LED"]["group producers"] == 0
    assert rows["LED"]["import dependence [%]"] == pytest.approx(100.0)
    # BRAKE: imports from DE only (HHI 1) but BRK-RU has 1,000 spare and BRK-RU2 500 → not strategic
    assert not rows["BRAKE"]["strategic dependence"]
    assert rows["BRAKE"]["group spare capacity [units/yr]"] == pytest.approx(1_500.0)
    assert rows["BRAKE"]["import dependence [%]"] == pytest.approx(25.0)
    # with the domestic brake plants running full, BRAKE becomes a strategic dependence
    prod = ds.production.with_columns(
        pl.when(pl.col("site") == "BRK-RU").then(3_000.0).otherwise(pl.col("capacity")).alias("capacity")
    ).filter(pl.col("site") != "BRK-RU2")
    links = ds.supply_links.filter(pl.col("supplier") != "BRK-RU2")
    full = concentration(compile(ds.replace(production=prod, supply_links=links)))["strategic"]
    assert full.filter(pl.col("part") == "BRAKE")["strategic dependence"].to_list() == [True]
    # two import origins in equal parts: HHI 0.5 > 0.4 still, but 0.6 would not pass
    more = pl.concat(
        [
            ds.supply_links.filter(pl.col("part") != "LED"),
            typed(
                "supply_links",
                {
                    "buyer": ["LAMP-BY", "LAMP-BY"],
                    "part": ["LED", "LED"],
                    "supplier": ["LED-CN", "BRK-DE"],
                    "share": [0.5, 0.5],
                },
            ),
        ]
    )
    prod2 = pl.concat([ds.production, typed("production", {"site": ["BRK-DE"], "part": ["LED"], "capacity": [1e5]})])
    r2 = concentration(compile(ds.replace(supply_links=more, production=prod2)), strategic_hhi=0.6)["strategic"]
    led = r2.filter(pl.col("part") == "LED").row(0, named=True)
    assert led["HHI import origins [0-1]"] == pytest.approx(0.5)
    assert not led["strategic dependence"]


def test_errors() -> None:
    net = compile(three_tier())
    with pytest.raises(AnalysisError, match="unknown country group"):
        concentration(net, "mars")
    with pytest.raises(AnalysisError, match="choke_share"):
        concentration(net, choke_share=1.5)


def test_fingerprint_has_parameters() -> None:
    r = concentration(compile(three_tier()), "BY", choke_share=0.5)
    assert r.fingerprint["group"] == "BY"
    assert r.fingerprint["choke_share"] == 0.5
    assert r.fingerprint["year"] == 2024


def test_self_link_is_in_house_not_single_source() -> None:
    """Issue 9 item 5: a site supplying itself is in-house supply, not a single-source risk."""
    from test_localisation import hand_case

    r = concentration(compile(hand_case(self_link=True)))["buyers"]
    rows = {(row["buyer"], row["part"]): row for row in r.iter_rows(named=True)}
    own = rows[("RU1", "OWN")]
    assert own["in-house share [%]"] == 100.0
    assert own["suppliers"] == 0
    assert not own["single source"]
    lamp = rows[("RU1", "LAMP")]
    assert lamp["single source"]
    assert lamp["in-house share [%]"] == 0.0
    # in-house 70 % and one outside supplier for 30 %: two sources, not a single one
    ds = hand_case(self_link=True)
    prod = pl.concat([ds.production, typed("production", {"site": ["CN1"], "part": ["OWN"], "capacity": [10.0]})])
    links = pl.concat(
        [
            ds.supply_links.with_columns(
                pl.when(pl.col("part") == "OWN").then(0.7).otherwise(pl.col("share")).alias("share")
            ),
            typed("supply_links", {"buyer": ["RU1"], "part": ["OWN"], "supplier": ["CN1"], "share": [0.3]}),
        ]
    )
    mixed = concentration(compile(ds.replace(production=prod, supply_links=links)))["buyers"]
    row = mixed.filter(pl.col("part") == "OWN").row(0, named=True)
    assert (row["suppliers"], row["in-house share [%]"], row["single source"]) == (1, pytest.approx(70.0), False)
