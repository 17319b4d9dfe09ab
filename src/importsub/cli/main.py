"""The ``importsub`` command line (Typer). Thin: every command calls the library.

Sub-modules each add their commands with ``register(app)``.
"""

from __future__ import annotations

import sys

import typer

from importsub.cli import common

app = typer.Typer(
    name="importsub",
    help="Import substitution in automotive supply chains: where imports hide, what a shock costs, which projects fix it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # help texts contain units like "[weeks]": never read them as rich markup
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importsub import __version__

        common.out.print(f"importsub {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """importsub: where imports hide in your vehicles, what a shock costs, which projects fix it."""


def _register_all() -> None:
    from importsub.cli import analyze, data, projects, serve, shock

    for module in (data, analyze, shock, projects, serve):
        module.register(app)


_register_all()


def main() -> None:
    """Console entry point: errors print as a readable table, never a traceback."""
    sys.exit(common.run(app))


if __name__ == "__main__":
    main()
