"""Page: the flow map — value-weighted flows country to country, import dependence by country, sites.

The figures come from :func:`importsub.web.services.geo.flow_map`, computed on
the full dataset and disclosed per viewer; cached per version, viewer and filters.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from importsub.web.deps import CsrfChecked, DatasetPageDep
from importsub.web.services import geo, views

router = APIRouter(include_in_schema=False, dependencies=[CsrfChecked])

Filter = Annotated[str | None, Query(max_length=200)]


@router.get("/map")
def map_page(page: DatasetPageDep, part: Filter = None, category: Filter = None, oem: Filter = None) -> Response:
    """Flows of the dataset's latest version, filtered by part, category or OEM."""
    name = page.dataset
    ctx: dict[str, Any] = {"dataset": name, "all_datasets": page.all_datasets, "map": None}
    ctx["filters"] = {"part": part or "", "category": category or "", "oem": oem or ""}
    if name is not None:
        info = page.datasets.resolve(name)
        public = page.visible(name, info.version)
        union = views.union_countries(public)
        key = ("map", name, info.version, info.fingerprint, page.viewer.key, part, category, oem)
        ctx["map"] = page.datasets.result(
            key,
            lambda: geo.flow_map(
                page.datasets.full(name, info.version),
                page.viewer,
                union=union,
                part=part or None,
                category=category or None,
                oem=oem or None,
            ),
        )
        ctx["options"] = geo.filter_options(public)
        ctx["country_names"] = dict(public.countries.select("iso2", "name").iter_rows())
        ctx["info"] = info
    return page.render("map.html", ctx)
