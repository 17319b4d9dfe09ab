"""The server-rendered dashboard: one module of pages per area."""

from importsub.web.pages import account, dashboard, data, maps, projects, reports, scenarios, shocks, users

ROUTERS = (
    dashboard.router,
    shocks.router,
    projects.router,
    data.router,
    account.router,
    scenarios.router,
    maps.router,
    users.router,
    reports.router,
)

__all__ = ["ROUTERS"]
