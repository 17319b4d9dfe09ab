"""The server-rendered dashboard: one module of pages per area."""

from importsub.web.pages import account, dashboard, data, projects, shocks

ROUTERS = (dashboard.router, shocks.router, projects.router, data.router, account.router)

__all__ = ["ROUTERS"]
