"""Matching: great-circle distances and ranked domestic candidates for imports."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from importsub.analysis.matching import EARTH_RADIUS_KM, haversine_km, matching
from importsub.compile import compile
from importsub.model.errors import AnalysisError
from test_compile import three_tier, typed


def test_haversine_known_distances() -> None:
    # Minsk (53.9006 N, 27.5590 E) – Moscow (55.7558 N, 37.6173 E): about 675 km
    assert haversine_km(53.9006, 27.5590, 55.7558, 37.6173) == pytest.approx(675.0, abs=3.0)
    # equator to pole: a quarter of a great circle
    assert haversine_km(0.0, 0.0, 90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)
    # antipodes: half a great circle; same point: 0; symmetric; vectorised
    assert haversine_km(10.0, 20.0, -10.0, -160.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(55.0, 37.0, 55.0, 37.0) == 0.0
    a = haversine_km(np.array([53.5, 10.0]), np.array([49.4, 0.0]), np.array([57.8, 11.0]), np.array([40.9, 1.0]))
    b = haversine_km(np.array([57.8, 11.0]), np.array([40.9, 1.0]), np.array([53.5, 10.0]), np.array([49.4, 0.0]))
    np.testing.assert_allclose(a, b)
    # one degree of longitude on the equator = 2πR / 360
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)


def test_three_tier_candidates() -> None:
    r = matching(compile(three_tier()))
    brake = r["candidates"].filter((pl.col("buyer") == "VAZ") & (pl.col("part") == "BRAKE"))
    # 1,000 brakes a year come from DE (25 % of 4,000). BRK-RU has 4,000 − 3,000 = 1,000 spare: covers them;
    # BRK-RU2 has 500 spare: does not → BRK-RU ranks first although it is farther from Togliatti
    assert brake["candidate site"].to_list() == ["BRK-RU", "BRK-RU2"]
    assert brake["rank"].to_list() == [1, 2]
    assert brake["imported [units/yr]"].to_list() == pytest.approx([1_000.0, 1_000.0])
    assert brake["spare capacity [units/yr]"].to_list() == pytest.approx([1_000.0, 500.0])
    assert brake["covers imports"].to_list() == [True, False]
    assert brake["current share [%]"].to_list() == pytest.approx([75.0, 0.0])
    assert brake["match"].to_list() == ["same part", "same part"]
    assert brake["distance [km]"].to_list() == pytest.approx(
        [float(haversine_km(53.5, 49.4, 57.8, 40.9)), float(haversine_km(53.5, 49.4, 57.7, 40.8))]
    )
    # LED: nobody in the group makes LEDs or anything of heading 8541; the only "lighting" producer
    # makes lamps, which consume LEDs: no candidate at all
    assert r["no candidate"]["part"].to_list() == ["LED"]
    parts = {row["part"]: row for row in r["parts"].iter_rows(named=True)}
    assert parts["BRAKE"]["same-part spare [units/yr]"] == pytest.approx(1_500.0)
    assert parts["BRAKE"]["spare / imported [%]"] == pytest.approx(150.0)
    assert parts["LED"]["imported [RUB/yr]"] == pytest.approx(8_000 * 500.0)


def test_hs_heading_and_category_matches_rank_after_same_part() -> None:
    ds = three_tier()
    # a RU maker of photodiodes (HS 8541 40, same heading as LED chips) and one of "lighting" reflectors
    parts = pl.concat(
        [
            ds.parts,
            typed(
                "parts",
                {
                    "id": ["DIODE", "REFL"],
                    "name": ["Photodiode", "Reflector"],
                    "category": ["electronics", "lighting"],
                    "hs_code": ["8541.10", "9405"],
                    "unit_value": [300.0, 200.0],
                },
            ),
        ]
    )
    sites = pl.concat(
        [
            ds.sites,
            typed(
                "sites",
                {
                    "id": ["DIO-RU", "REF-RU"],
                    "organization": ["SUBST", "SUBST"],
                    "name": ["Diodes", "Reflectors"],
                    "country": ["RU", "RU"],
                    "lat": [55.75, 54.0],
                    "lon": [37.6, 28.0],
                },
            ),
        ]
    )
    prod = pl.concat(
        [
            ds.production,
            typed("production", {"site": ["DIO-RU", "REF-RU"], "part": ["DIODE", "REFL"], "capacity": [1e5, 1e5]}),
        ]
    )
    r = matching(compile(ds.replace(parts=parts, sites=sites, production=prod)))
    led = r["candidates"].filter(pl.col("part") == "LED")
    assert led.select("candidate site", "match", "rank").rows() == [
        ("DIO-RU", "same HS heading", 1),
        ("REF-RU", "same category", 2),
    ]
    assert r["no candidate"].height == 0
    top1 = matching(compile(ds.replace(parts=parts, sites=sites, production=prod)), top=1)["candidates"]
    assert top1.group_by("buyer", "part").len()["len"].max() == 1


def test_errors() -> None:
    net = compile(three_tier())
    with pytest.raises(AnalysisError, match="unknown country group"):
        matching(net, "ZZ")
    with pytest.raises(AnalysisError, match="top and pool"):
        matching(net, top=0)
