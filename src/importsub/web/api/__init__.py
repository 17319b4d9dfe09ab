"""The JSON API under ``/api``: one router per resource, in the order the OpenAPI document lists them."""

from importsub.web.api import analyses, auth, datasets, projects, records, scenarios, users

ROUTERS = (
    auth.router,
    users.router,
    datasets.router,
    records.router,
    scenarios.router,
    projects.router,
    analyses.router,
)

__all__ = ["ROUTERS"]
