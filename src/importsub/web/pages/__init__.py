"""The server-rendered dashboard: one module of pages per area."""

from importsub.web.pages import account, dashboard, data, projects, scenarios, shocks

ROUTERS = (dashboard.router, shocks.router, projects.router, data.router, account.router, scenarios.router)

__all__ = ["ROUTERS"]
