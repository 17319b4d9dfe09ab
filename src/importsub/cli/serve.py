"""``importsub serve``: the web dashboard and REST API on the same store as the CLI."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from importsub.cli.common import DbOption, command_group, err

app = command_group()
"""``importsub serve``: a top-level command."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: DbOption = None,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Mark cookies Secure (when served behind TLS).",
            envvar="IMPORTSUB_SECURE_COOKIES",
        ),
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes (0 = one per core). Each has its own caches and job worker; jobs are claimed "
            "safely by one of them.",
            min=0,
            max=64,
            envvar="IMPORTSUB_WORKERS",
        ),
    ] = 1,
) -> None:
    """Serve the dashboard and the REST API (OpenAPI at /openapi.json).

    On a store without users an admin account is created: its password is
    IMPORTSUB_ADMIN_PASSWORD when set, otherwise a one-time password printed
    here once (change it at first sign-in).
    """
    import uvicorn

    from importsub.store import Store, accounts
    from importsub.store.housekeeping import Housekeeper
    from importsub.web import Settings, create_app

    settings = Settings(db=db, secure_cookies=secure_cookies) if db else Settings(secure_cookies=secure_cookies)
    store = Store(settings.db)
    env_password = os.environ.get("IMPORTSUB_ADMIN_PASSWORD") or None
    with store.writing() as conn:
        first = accounts.count_users(conn) == 0
        try:
            generated = accounts.bootstrap_admin(conn, password=env_password)
        except ValueError as exc:
            raise typer.BadParameter(f"IMPORTSUB_ADMIN_PASSWORD: {exc}") from None
    if generated is not None:
        err.print(
            "[bold]First start:[/] created user [bold]admin[/] with the one-time password\n\n"
            f"    {generated}\n\nIt is shown only now; change it after signing in.",
            highlight=False,
        )
    elif first:
        err.print(
            "First start: created user [bold]admin[/] with the password from IMPORTSUB_ADMIN_PASSWORD.",
            highlight=False,
        )
    err.print(f"importsub on http://{host}:{port}/  (store: {store})", highlight=False)
    # expired sessions and old sign-in attempts: deleted now and every hour while the server runs
    keeper = Housekeeper(store).start()
    processes = workers or os.cpu_count() or 1
    try:
        if processes == 1:
            uvicorn.run(
                create_app(settings, store=store),
                host=host,
                port=port,
                log_level=log_level,
                proxy_headers=secure_cookies,
            )
        else:
            # each worker process builds its own app from the environment: the same store and settings
            os.environ["IMPORTSUB_DB"] = settings.db or store.url
            os.environ["IMPORTSUB_SECURE_COOKIES"] = "true" if secure_cookies else "false"
            err.print(f"{processes} worker processes", highlight=False)
            uvicorn.run(
                "importsub.web:create_app",
                factory=True,
                workers=processes,
                host=host,
                port=port,
                log_level=log_level,
                proxy_headers=secure_cookies,
            )
    finally:
        keeper.stop()
