"""The server-rendered dashboard: one module of pages per area."""

from importsub.web.pages import account, dashboard, data, projects, shocks, users

ROUTERS = (dashboard.router, shocks.router, projects.router, data.router, account.router, users.router)

__all__ = ["ROUTERS"]
