"""The ``importsub`` command line (Typer). Thin: every command calls the library.

Each command group is a module-level Typer app in its own module (``data``,
``analyze``, ``shock``, ``projects``, ``serve``, ``contribute``), sharing the options of
:mod:`importsub.cli.common`.  The root loads a group's module only when one of
its commands runs (or for ``--help``), so ``importsub datasets`` does not
import the analyses, the solver or the web app.
"""

from __future__ import annotations

import functools
import importlib
import sys
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from importsub.cli import common

#: command name -> (module, its Typer app, "group" for a sub-command group or "command" for a top-level one),
#: in the order ``importsub --help`` lists them
COMMANDS: dict[str, tuple[str, str, str]] = {
    **dict.fromkeys(
        ("demo", "import", "export", "template", "validate", "datasets", "diff", "synth"),
        ("importsub.cli.data", "app", "command"),
    ),
    "programme": ("importsub.cli.projects", "app", "command"),
    "portfolio": ("importsub.cli.projects", "app", "command"),
    "serve": ("importsub.cli.serve", "app", "command"),
    "analyze": ("importsub.cli.analyze", "analyze", "group"),
    "shock": ("importsub.cli.shock", "shock", "group"),
    "scenario": ("importsub.cli.shock", "scenario", "group"),
    "projects": ("importsub.cli.projects", "projects", "group"),
    "contribute": ("importsub.cli.contribute", "app", "command"),
    "contributions": ("importsub.cli.contribute", "contributions", "group"),
    "registry": ("importsub.cli.registry", "registry", "group"),
}


@functools.cache
def load_command(name: str) -> Any:
    """The click command (or group) ``name`` of :data:`COMMANDS`, its module imported on first use."""
    module, attribute, kind = COMMANDS[name]
    sub: typer.Typer = getattr(importlib.import_module(module), attribute)
    built = typer.main.get_group(sub)
    if kind == "group":
        built.name = name
        return built
    return built.commands[name]


class LazyGroup(TyperGroup):
    """The root group: its commands are those of :data:`COMMANDS`, built when asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            found = load_command(cmd_name)
        return found


app = typer.Typer(
    cls=LazyGroup,
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


def main() -> None:
    """Console entry point: errors print as a readable table, never a traceback."""
    from importsub.model.interrupts import hold_after_commit

    hold_after_commit()  # this process is the ``importsub`` command: Ctrl-C is ignored once its write lands
    sys.exit(common.run(app))


if __name__ == "__main__":
    main()
