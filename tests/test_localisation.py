"""Localisation: the hand-worked three-tier network (every figure derived in a
comment), an independent dense Leontief computation on random networks, and
the properties the issue asks for."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importsub.analysis.localisation import (
    coverage,
    domestic_content,
    entry_points,
    headline,
    import_content_range,
    import_path,
    localisation,
    origin_content,
    tiers,
)
from importsub.compile import compile
from importsub.model.dataset import Dataset
from importsub.model.errors import AnalysisError
from importsub.model.validate import check
from test_compile import NODES, dense_reference, node, random_dataset, three_tier

# Hand-worked (see tests/test_compile.py for the network, B and w):
#   g (union = BY, RU): CAR 1, LAMP 1, BRK-RU 1, BRK-DE 0, LED 0, SUBSTRATE 1, BRK-RU2 1
#   L_SUBSTRATE = w · g = 1
#   L_LED       = 0.8 · 0 + B[SUB, LED] L_SUB = 0.2 · 1 = 0.2         (CN chip on RU substrate)
#   L_BRK-DE    = 1 · 0 = 0;   L_BRK-RU = 1 · 1 = 1 (its unmapped PADs count as its own, RU)
#   L_LAMP      = 0.9 · 1 + 0.1 · L_LED = 0.9 + 0.02 = 0.92
#   L_CAR       = 0.918 + 0.04 · 0.92 + 0.03 · 1 + 0.012 · 0 = 0.918 + 0.0368 + 0.03 = 0.9848
#   import content of the car: 1 − 0.9848 = 1.52 %
L_HAND = {
    "VAZ/CAR": 0.9848,
    "LAMP-BY/LAMP": 0.92,
    "BRK-RU/BRAKE": 1.0,
    "BRK-DE/BRAKE": 0.0,
    "LED-CN/LED": 0.2,
    "SUB-RU/SUBSTRATE": 1.0,
    "BRK-RU2/BRAKE": 1.0,
}
# Coverage (I − Bᵀ) C = (w − u)₊ with u = unmapped inputs (PAD: 0.2 at BRK-RU, 1/6 at BRK-DE):
#   C_SUB = 1; C_LED = 0.8 + 0.2 · 1 = 1; C_LAMP = 0.9 + 0.1 · 1 = 1
#   C_BRK-RU = 1 − 0.2 = 0.8; C_BRK-DE = 1 − 1/6 = 5/6
#   C_CAR = 0.918 + 0.04 · 1 + 0.03 · 0.8 + 0.012 · 5/6 = 0.918 + 0.04 + 0.024 + 0.01 = 0.992
C_HAND = {
    "VAZ/CAR": 0.992,
    "LAMP-BY/LAMP": 1.0,
    "BRK-RU/BRAKE": 0.8,
    "BRK-DE/BRAKE": 5 / 6,
    "LED-CN/LED": 1.0,
    "SUB-RU/SUBSTRATE": 1.0,
    "BRK-RU2/BRAKE": 0.8,
}


def test_three_tier_domestic_content_by_hand() -> None:
    net = compile(three_tier())
    L = domestic_content(net)
    assert {label: L[node(net, label)] for label in NODES} == pytest.approx(L_HAND, abs=1e-12)
    C = coverage(net)
    assert {label: C[node(net, label)] for label in NODES} == pytest.approx(C_HAND, abs=1e-12)


def test_three_tier_single_country_group() -> None:
    net = compile(three_tier())
    # BY only: L_LAMP = 0.9 (its own value added; LED is CN on RU substrate);
    # L_CAR = 0.04 · 0.9 = 0.036 (only the lamps' BY value added)
    L = domestic_content(net, "BY")
    assert L[node(net, "LAMP-BY/LAMP")] == pytest.approx(0.9)
    assert L[node(net, "VAZ/CAR")] == pytest.approx(0.036)


def test_three_tier_origins_tiers_entries_path() -> None:
    net = compile(three_tier())
    car = node(net, "VAZ/CAR")
    # value added in DE: 0.012 (brakes, tier 1); in CN: 0.04 · 0.1 · 0.8 = 0.0032 (LED, tier 2)
    Y = origin_content(net)
    by_country = dict(zip(net.countries, Y[car], strict=True))
    assert by_country == pytest.approx({"DE": 0.012, "CN": 0.0032, "BY": 0.04 * 0.9, "RU": 0.9848 - 0.036}, abs=1e-12)
    np.testing.assert_allclose(Y.sum(axis=1), 1.0, atol=1e-12)
    # tiers of the car: 0.918 own; 0.04·0.9 + 0.03·1 + 0.012·1 = 0.078; 0.04·0.1·0.8 = 0.0032; 0.04·0.1·0.2 = 0.0008
    T, Im = tiers(net, np.array([car]))
    np.testing.assert_allclose(T[:, 0], [0.918, 0.078, 0.0032, 0.0008], atol=1e-12)
    # imported: 0 own; 0.012 (DE brakes); 0.0032 (CN LEDs); 0 (RU substrate)
    np.testing.assert_allclose(Im[:, 0], [0.0, 0.012, 0.0032, 0.0], atol=1e-12)
    # entry points: DE brakes 1 · 1,000 cars · 12,000 RUB · (1 − 0) = 12.0 M RUB/yr;
    # CN LEDs 4 · 2,000 lamps · 500 RUB · (1 − 0.2) = 3.2 M RUB/yr; together 1.52 % of 1,000 × 1 M RUB
    e = entry_points(net)
    assert e.select("supplier", "buyer", "part").rows() == [("BRK-DE", "VAZ", "BRAKE"), ("LED-CN", "LAMP-BY", "LED")]
    assert e["imported value [RUB/yr]"].to_list() == pytest.approx([12e6, 3.2e6])
    assert e["share of entering imports [%]"].to_list() == pytest.approx([100 * 12 / 15.2, 100 * 3.2 / 15.2])
    # path: at the car, imported value via lamps 0.04 · 0.08 = 0.0032 < via DE brakes 0.012 · 1 → BRK-DE, outside: stop
    p = import_path(net, car)
    assert p["site"].to_list() == ["VAZ", "BRK-DE"]
    # coverage beside each step: the car 99.2 %, the DE brake 5/6 (its pads are unmapped)
    assert p["coverage [%]"].to_list() == pytest.approx([99.2, 100 * 5 / 6])
    assert e["supplier coverage [%]"].to_list() == pytest.approx([100 * 5 / 6, 100.0])
    assert p["via this link [% of vehicle value]"].to_list() == pytest.approx([1.52, 1.2])


def test_three_tier_result_tables() -> None:
    r = localisation(compile(three_tier()))
    v = r["vehicles"].row(0, named=True)
    assert v["part"] == "CAR"
    assert v["import content [%]"] == pytest.approx(1.52)
    assert v["coverage [%]"] == pytest.approx(99.2)
    assert r["oems"].row(0, named=True)["name"] == "AvtoVAZ"
    origins = {row["origin"]: row for row in r["origins"].iter_rows(named=True)}
    # of the 1.52 % imported: DE 1.2 / 1.52 = 78.9 %, CN 0.32 / 1.52 = 21.1 %
    assert origins["DE"]["share of imported value [%]"] == pytest.approx(100 * 1.2 / 1.52)
    assert origins["CN"]["share of vehicle value [%]"] == pytest.approx(0.32)
    # categories weighted by output value: braking = (3e7 · 100 + 1.2e7 · 0 + 0 · 100) / 4.2e7 = 71.43 % domestic
    braking = r["categories"].filter(pl.col("category") == "braking").row(0, named=True)
    assert braking["domestic content [%]"] == pytest.approx(100 * 3e7 / 4.2e7)
    assert braking["coverage [%]"] == pytest.approx(100 * (3e7 * 0.8 + 1.2e7 * 5 / 6) / 4.2e7)
    assert r.fingerprint["group"] == "union"
    assert r.fingerprint["year"] == 2024
    tiers_sum = r["tiers"]["imported value added [%]"].sum()
    assert tiers_sum == pytest.approx(1.52)
    h = headline(compile(three_tier()))
    assert next(iter(h.values()))["import content [%]"].to_list() == pytest.approx([1.52])
    assert list(h.values())[1].height == 2


def test_unknown_group_is_a_clear_error() -> None:
    net = compile(three_tier())
    with pytest.raises(AnalysisError, match=r"unknown country group 'eaeu'; known groups: external, union"):
        localisation(net, "eaeu")
    with pytest.raises(AnalysisError, match="unknown country group"):
        domestic_content(net, "XX")


# ---------------------------------------------------------------- independent dense computation and properties


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), tiers_=st.integers(1, 5), sites=st.integers(1, 8))
def test_matches_dense_leontief(seed: int, tiers_: int, sites: int) -> None:
    ds = random_dataset(seed, tiers=tiers_, sites=sites)
    net = compile(ds)
    ref = dense_reference(ds)
    n = net.n_nodes
    L_ref = np.linalg.solve(np.eye(n) - ref["B"].T, ref["w"] * ref["g"])
    L = domestic_content(net)
    np.testing.assert_allclose(L, L_ref, rtol=0, atol=1e-9)
    # 0 ≤ L ≤ 1, and coverage likewise
    assert (L >= -1e-12).all()
    assert (L <= 1 + 1e-12).all()
    C = coverage(net)
    assert (C >= -1e-12).all()
    assert (C <= 1 + 1e-12).all()
    # every country's value added sums to the whole value
    np.testing.assert_allclose(origin_content(net).sum(axis=1), 1.0, atol=1e-9)
    # tiers add up to 1 (total) and to 1 − L (imported)
    T, Im = tiers(net, np.arange(n))
    np.testing.assert_allclose(T.sum(axis=0), 1.0, atol=1e-9)
    np.testing.assert_allclose(Im.sum(axis=0), 1.0 - L, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_all_inside_the_group_is_fully_domestic(seed: int) -> None:
    ds = random_dataset(seed, countries=("RU", "BY"))
    L = domestic_content(compile(ds))
    np.testing.assert_allclose(L, 1.0, atol=1e-12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), pick=st.integers(0, 100))
def test_foreign_supplier_never_raises_L(seed: int, pick: int) -> None:
    ds = random_dataset(seed, tiers=4, sites=6)
    inside = ds.sites.filter(pl.col("country").is_in(["RU", "BY"]))
    if inside.height == 0:
        return
    moved = inside["id"][pick % inside.height]
    sites = ds.sites.with_columns(
        pl.when(pl.col("id") == moved).then(pl.lit("CN")).otherwise(pl.col("country")).alias("country")
    )
    before = domestic_content(compile(ds))
    after = domestic_content(compile(ds.replace(sites=sites)))
    assert (after <= before + 1e-12).all()
    # and the moved site's own nodes lose their own value added
    assert after.sum() <= before.sum() + 1e-12


def test_all_mapped_network_has_full_coverage() -> None:
    # every BOM input mapped: map_prob = 1 ⇒ u = 0 everywhere ⇒ C = (I − Bᵀ)⁻¹ w = 1
    net = compile(random_dataset(3, map_prob=1.0))
    np.testing.assert_allclose(net.unmapped_inputs, 0.0)
    np.testing.assert_allclose(coverage(net), 1.0, atol=1e-12)


# ---------------------------------------------------------------- coverage and the range (issue 9, item 5)


def hand_case(*, self_link: bool = True, material: bool = False) -> Dataset:
    """A RU car worth 100 RUB: an in-house part worth 60 (no BOM) and a lamp worth 40 from China.

    With ``self_link`` the car plant makes the part and buys it from itself (an in-house leaf);
    without, the part is an unmapped BOM input (nobody's link), as Ural's rest of vehicle."""
    prod_site = ["RU1", "CN1"] + (["RU1"] if self_link else [])
    prod_part = ["CAR", "LAMP"] + (["OWN"] if self_link else [])
    links_b = ["RU1"] + (["RU1"] if self_link else [])
    links_p = ["LAMP"] + (["OWN"] if self_link else [])
    links_s = ["CN1"] + (["RU1"] if self_link else [])
    return check(
        Dataset.from_frames(
            "hand",
            {
                "countries": pl.DataFrame({"iso2": ["RU", "CN"], "name": ["Russia", "China"]}),
                "country_groups": pl.DataFrame({"group": ["union"], "iso2": ["RU"]}),
                "organizations": pl.DataFrame(
                    {
                        "id": ["OEM", "CNL"],
                        "name": ["OEM", "Lamp maker CN-1"],
                        "country": ["RU", "CN"],
                        "kind": ["oem", "supplier"],
                    }
                ),
                "sites": pl.DataFrame(
                    {
                        "id": ["RU1", "CN1"],
                        "organization": ["OEM", "CNL"],
                        "name": ["Car plant", "Lamp plant"],
                        "country": ["RU", "CN"],
                        "lat": [55.0, 31.0],
                        "lon": [37.0, 121.0],
                    }
                ),
                "parts": pl.DataFrame(
                    {
                        "id": ["CAR", "OWN", "LAMP"],
                        "name": ["car", "in-house part", "lamp"],
                        "category": ["vehicle", "body", "lighting"],
                        "unit_value": [100.0, 60.0, 40.0],
                        "material": [False, material, False],
                    }
                ),
                "bom": pl.DataFrame({"parent": ["CAR", "CAR"], "child": ["OWN", "LAMP"], "quantity": [1.0, 1.0]}),
                "production": pl.DataFrame({"site": prod_site, "part": prod_part, "capacity": [10.0] * len(prod_site)}),
                "supply_links": pl.DataFrame(
                    {"buyer": links_b, "part": links_p, "supplier": links_s, "share": [1.0] * len(links_b)}
                ),
                "demand": pl.DataFrame({"site": ["RU1"], "part": ["CAR"], "year": [2025], "units": [5.0]}),
            },
        )
    )


def test_coverage_hand_case_40_100_40() -> None:
    # B[lamp, car] = 1 · 40/100 = 0.4, B[own, car] = 0.6 ⇒ w_car = 0; the lamp (CN, no BOM) is traced
    # and imported; the in-house part (RU, no BOM, not a material) is untraced: r_own = 1.
    #   K_car = 0.4 · 1 = 0.4;  U_car = 0.6 · 1 = 0.6 ⇒ max 1.0;  C_car = 0.4 · 1 + 0.6 · 0 = 0.4
    for self_link in (True, False):  # an in-house leaf or an unmapped input: the same knowledge
        net = compile(hand_case(self_link=self_link))
        car = node(net, "RU1/CAR")
        K, K_max, C = import_content_range(net)
        assert (K[car], K_max[car], C[car]) == pytest.approx((0.4, 1.0, 0.4), abs=1e-12)
        assert coverage(net)[car] == pytest.approx(0.4, abs=1e-12)
        v = localisation(net)["vehicles"].row(0, named=True)
        assert v["import content [%]"] == pytest.approx(40.0)
        assert v["import content max [%]"] == pytest.approx(100.0)
        assert v["coverage [%]"] == pytest.approx(40.0)
        oem = next(iter(headline(net).values())).row(0, named=True)
        assert (oem["import content [%]"], oem["import content max [%]"], oem["coverage [%]"]) == pytest.approx(
            (40.0, 100.0, 40.0)
        )
    # a basic material is traced: its 60 RUB are RU's, so import content is exactly 40 %, coverage 100 %
    net = compile(hand_case(material=True))
    K, K_max, C = import_content_range(net)
    car = node(net, "RU1/CAR")
    assert (K[car], K_max[car], C[car]) == pytest.approx((0.4, 0.4, 1.0), abs=1e-12)
    # seen from China alone: the RU material (60) is imported; the lamp (40) is now a BOM-less part
    # made inside the group and not a material, so untraced: K = 0.6, max = 0.6 + 0.4 = 1.0
    K, K_max, C = import_content_range(net, "CN")
    assert (K[car], K_max[car], C[car]) == pytest.approx((0.6, 1.0, 0.6), abs=1e-12)


def test_three_tier_range() -> None:
    # known 1.52 % (as before); untraced inside the group: BRK-RU's unmapped pads, 0.2 of its value,
    # reach the car through B[BRK-RU, car] = 0.03: U = 0.006 ⇒ max 1.52 + 0.6 = 2.12 %.
    # BRK-DE's unmapped pads (1/6) lower coverage (0.992) but are imported either way.
    net = compile(three_tier())
    car = node(net, "VAZ/CAR")
    K, K_max, C = import_content_range(net)
    assert (K[car], K_max[car], C[car]) == pytest.approx((0.0152, 0.0212, 0.992), abs=1e-12)
    np.testing.assert_allclose(K, 1.0 - domestic_content(net), atol=1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    tiers_=st.integers(1, 5),
    sites=st.integers(1, 8),
    material_prob=st.sampled_from([0.0, 0.5, 1.0]),
    map_prob=st.sampled_from([0.5, 0.85, 1.0]),
)
def test_range_matches_dense_computation(
    seed: int, tiers_: int, sites: int, material_prob: float, map_prob: float
) -> None:
    """K, K + U and C against a dense solve built from the records with plain loops."""
    ds = random_dataset(seed, tiers=tiers_, sites=sites, material_prob=material_prob, map_prob=map_prob)
    net = compile(ds)
    ref = dense_reference(ds)
    prod = list(ds.production.iter_rows(named=True))
    n = len(prod)
    pval = {r["id"]: r["unit_value"] for r in ds.parts.iter_rows(named=True)}
    material = {r["id"]: bool(r["material"]) for r in ds.parts.iter_rows(named=True)}
    kids: dict[str, list[tuple[str, float]]] = {}
    for r in ds.bom.iter_rows(named=True):
        kids.setdefault(r["parent"], []).append((r["child"], r["quantity"]))
    bought = set(ds.supply_links.select("buyer", "part").iter_rows())
    r_own = np.zeros(n)
    for j, row in enumerate(prod):
        if kids.get(row["part"]):
            r_own[j] = sum(q * pval[c] for c, q in kids[row["part"]] if (row["site"], c) not in bought) / ref["v"][j]
        elif ref["g"][j] and not material[row["part"]]:
            r_own[j] = 1.0
    M = np.eye(n) - ref["B"].T
    K_ref = np.linalg.solve(M, ref["w"] * (1 - ref["g"]))
    U_ref = np.linalg.solve(M, r_own * ref["g"])
    C_ref = np.linalg.solve(M, ref["w"] - r_own)
    K, K_max, C = import_content_range(net)
    np.testing.assert_allclose(K, K_ref, atol=1e-9)
    np.testing.assert_allclose(K_max, K_ref + U_ref, atol=1e-9)
    np.testing.assert_allclose(C, C_ref, atol=1e-9)
    # the range is a range, coverage a share, and untraced value inside is at most all untraced value
    assert (K >= -1e-12).all()
    assert (K_max + 1e-12 >= K).all()
    assert (K_max <= 1 + 1e-9).all()
    assert (C >= -1e-12).all()
    assert (C <= 1 + 1e-12).all()
    assert (K_max - K <= 1 - C + 1e-9).all()
    if material_prob == 1.0 and map_prob == 1.0:
        np.testing.assert_allclose(C, 1.0, atol=1e-9)
        np.testing.assert_allclose(K_max, K, atol=1e-9)


def test_unmapped_input_worth_more_than_its_product_is_an_error() -> None:
    from importsub.model.errors import ValidationError

    # the car's lamp (40 RUB) is mapped, its in-house part now worth 70 RUB is unmapped: 110 > 100
    ds = hand_case(self_link=False)
    parts = ds.parts.with_columns(
        pl.when(pl.col("id") == "OWN").then(70.0).otherwise(pl.col("unit_value")).alias("unit_value")
    )
    bad = ds.replace(parts=parts)
    with pytest.raises(ValidationError) as exc:
        check(bad)
    problem = exc.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("production", 1, "unit_value")
    assert "CAR at RU1" in problem.message
    assert "70" in problem.message
    assert "OWN" in problem.message
    with pytest.raises(AnalysisError, match=r"RU1/CAR inputs 40.00 RUB/unit mapped \+ 70.00 RUB/unit unmapped"):
        compile(bad)


def test_untraced_table_adds_up() -> None:
    """Σ_j x_j v_j r_j = Σ_final d v (1 − C): the untraced table holds all untraced value."""
    net = compile(hand_case())
    t = localisation(net)["untraced"]
    # the in-house part: 5 cars × 60 RUB, all of it untraced
    assert t.select("site", "part", "why untraced").rows() == [("RU1", "OWN", "no BOM and not a basic material")]
    assert t["untraced value [RUB/yr]"].to_list() == pytest.approx([300.0])
    net = compile(random_dataset(11, material_prob=0.5, map_prob=0.7))
    r = localisation(net)
    total = r["untraced"]["untraced value [RUB/yr]"].sum()
    C = coverage(net)
    f = net.final_nodes
    assert total == pytest.approx(float((net.demand[f] * net.value[f] * (1 - C[f])).sum()), rel=1e-9)
    assert r["untraced"]["share of untraced value [%]"].sum() == pytest.approx(100.0)
