"""The flow map: values against a hand-worked case and a dense Leontief solve, disclosure, masking by difference.

Plant of ``webenv``: 100,000 cars at Togliatti (RU) need 4 brake units each, bought 0.6137 from Minsk (BY,
20,011.25 RUB) and 0.3863 from Germany (22,000 RUB); each Minsk brake unit needs 8 pads, bought 0.7171 from
Germany (950 RUB) and 0.2829 from China (800 RUB).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from webenv import SECRETS_OF_AVTO, Env, login, web_dataset

from importsub.analysis.demand import dense_leontief
from importsub.compile import compile as compile_network
from importsub.web.confidentiality import ADMIN, Viewer, disclosable
from importsub.web.services.geo import flow_map, link_values

UNION = {"RU", "BY"}
BRAKES_MSK = 0.6137 * 400_000
HAND = {
    ("BY", "RU"): BRAKES_MSK * 20_011.25,
    ("DE", "RU"): 0.3863 * 400_000 * 22_000.0,
    ("DE", "BY"): 0.7171 * 8 * BRAKES_MSK * 950.0,
    ("CN", "BY"): 0.2829 * 8 * BRAKES_MSK * 800.0,
}


# the store's latest version: AVTO revised its shares to 0.7137 / 0.2863
LATEST = {("BY", "RU"): 0.7137 * 400_000 * 20_011.25, ("DE", "RU"): 0.2863 * 400_000 * 22_000.0}


def _flows(m: dict) -> dict[tuple[str, str], float | None]:  # type: ignore[type-arg]
    return {(f["from"], f["to"]): f["value"] for f in m["country_flows"]}


def test_values_match_the_hand_worked_case_and_a_dense_solve() -> None:
    ds = web_dataset()
    m = flow_map(ds, ADMIN, union=UNION)
    assert _flows(m) == pytest.approx(HAND, rel=1e-12)
    ru = HAND["DE", "RU"] / (HAND["DE", "RU"] + HAND["BY", "RU"])
    assert m["dependence"] == pytest.approx({"RU": 100 * ru, "BY": 100.0})
    # independently: x = inv(I − A) d densely, then each link's units σ · q · x_buyer times the supplier's price
    net = compile_network(ds, None, None)
    x = dense_leontief(net)
    dense = {}
    links = link_values(net)
    for r in links.iter_rows(named=True):
        i = net.node_index[r["supplier"], r["part"]]
        buyer_nodes = [j for (s, _p), j in net.node_index.items() if s == r["buyer"]]
        units = sum(net.A[i, j] * x[j] for j in buyer_nodes)
        key = (r["supplier country"], r["buyer country"])
        dense[key] = dense.get(key, 0.0) + units * net.value[i]
    assert _flows(m) == pytest.approx(dense, rel=1e-9)


def _downstream_orgs(ds, site: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Brute force: organisations of every site reachable from ``site`` along supply links towards the buyers."""
    buyers: dict[str, set[str]] = {}
    for b, s in ds.supply_links.select("buyer", "supplier").iter_rows():
        buyers.setdefault(s, set()).add(b)
    org = dict(ds.sites.select("id", "organization").iter_rows())
    seen, todo = {site}, [site]
    while todo:
        for b in buyers.get(todo.pop(), ()):
            if b not in seen:
                seen.add(b)
                todo.append(b)
    return {org[s] for s in seen}


@pytest.mark.parametrize("viewer", [Viewer("AVTO"), Viewer("BRAKE"), Viewer("FORE"), Viewer(None)])
def test_shown_flows_pass_the_disclosure_rule_for_brute_force_contributors(viewer: Viewer) -> None:
    ds = web_dataset()
    m = flow_map(ds, viewer, union=UNION)
    links = link_values(compile_network(ds, None, None))
    for (frm, to), value in _flows(m).items():
        rows = links.filter((links["supplier country"] == frm) & (links["buyer country"] == to))
        cell: dict[str, float] = {}
        for r in rows.iter_rows(named=True):
            for o in _downstream_orgs(ds, r["buyer"]) | {r["supplier organization"]}:
                cell[o] = cell.get(o, 0.0) + r["value [RUB/yr]"]
        assert (value is not None) == disclosable(cell, viewer), (frm, to, cell)
        if value is not None:
            assert value == pytest.approx(HAND[frm, to])
    # a country's dependence shows only when every flow into it does, or the hidden ones pass together
    for country, dep in m["dependence"].items():
        into = [v for (_f, t), v in _flows(m).items() if t == country]
        if dep is not None and all(v is not None for v in into):
            ext = sum(v for (f, t), v in _flows(m).items() if t == country and f not in UNION)  # type: ignore[misc]
            assert dep == pytest.approx(100 * ext / sum(into))  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["AVTO", "BRAKE", "FORE", "PADCN", None])
@pytest.mark.parametrize(("share", "price"), [(0.3, 50_000.0), (0.9, 12_000.0)])
def test_by_difference_hidden_figures_do_not_move_with_the_secrets(share: float, price: float, who: str | None) -> None:
    """Two datasets that differ in AVTO's shares and BRAKE's price: every figure hidden from a viewer is hidden
    in both, the hidden ones come in the same order, and a shown one differs only if it passes the rule."""
    base = web_dataset()
    other = web_dataset(avto_shares=(share, 1 - share))
    other = other.replace(
        production=other.production.with_columns(
            other.production["unit_value"].scatter(1, price)  # BRAKE-MSK's brake unit price
        )
    )
    viewer = Viewer(who)
    a, b = flow_map(base, viewer, union=UNION), flow_map(other, viewer, union=UNION)
    hidden_a = [(f["from"], f["to"]) for f in a["country_flows"] if f["value"] is None]
    hidden_b = [(f["from"], f["to"]) for f in b["country_flows"] if f["value"] is None]
    if who in ("AVTO", "BRAKE"):
        assert hidden_a == hidden_b  # their own links are all mapped, the rule's outcome is the same
    for (ka, va), (kb, vb) in zip(sorted(_flows(a).items()), sorted(_flows(b).items()), strict=True):
        assert ka == kb
        if va is None or vb is None:
            assert va is vb or who not in ("AVTO", "BRAKE")
    for la, lb in zip(a["site_lines"], b["site_lines"], strict=True):
        assert (la["from"], la["to"], la["parts"]) == (lb["from"], lb["to"], lb["parts"])
        assert la["value"] is None  # every line has another organisation downstream
        assert lb["value"] is None
    assert a["sites"] == b["sites"]


def test_the_map_page_filters_and_shows_no_secret(env: Env) -> None:
    from fastapi.testclient import TestClient

    c = TestClient(env.client.app, base_url="http://testserver")
    login(c, "brake")
    for query in ("", "&category=braking", "&part=PAD", "&oem=AVTO"):
        r = c.get(f"/map?dataset=plant{query}")
        assert r.status_code == 200, r.text[:1000]
        assert 'data-flow-map="flow-map-data"' in r.text
        for secret in SECRETS_OF_AVTO:
            assert secret not in r.text, (query, secret)
        for hidden in LATEST.values():  # AVTO's purchases: AVTO and its supplier alone
            assert f"{hidden:.1f}"[:9] not in r.text
    # the part filter keeps the pads only: flows into Belarus, none into Russia
    only_pads = c.get("/map?dataset=plant&part=PAD").text
    spec = re.search(r'type="application/json" id="flow-map-data">(.*?)</script>', only_pads, re.S)
    assert spec
    import json

    flows = json.loads(spec.group(1))["country_flows"]
    assert {(f["from"], f["to"]) for f in flows} == {("DE", "BY"), ("CN", "BY")}
    assert all(f["value"] is None or math.isfinite(f["value"]) for f in flows)
    admin = TestClient(env.client.app, base_url="http://testserver")
    login(admin, "admin")
    page = admin.get("/map?dataset=plant&oem=AVTO").text
    found = re.search(r'type="application/json" id="flow-map-data">(.*?)</script>', page, re.S)
    assert found
    by_pair = {(f["from"], f["to"]): f["value"] for f in json.loads(found.group(1))["country_flows"]}
    assert np.isclose(by_pair["BY", "RU"], LATEST["BY", "RU"])  # AVTO is the only OEM: the same flows
