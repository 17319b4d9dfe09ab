"""The CLI's typer options against the analysis parameter declarations (:mod:`importsub.web.services.params`).

The web form, its validation and the API schema come from the declarations; the CLI keeps its own
typer options.  Here each analysis kind is paired with its command: every declared parameter is the
command's option (or argument) of the same name, or mapped to one here, or listed as web-only; every
option of the command is a parameter, a common option (``--db``, ``--format`` …) or listed as
CLI-only; a mapped pair has the same default, and every declared choice is one the CLI names in its
help.  A parameter added to one side only fails this test until it is added to the other or listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from importsub.cli.main import load_command
from importsub.web.services.catalogue import build_analyses
from importsub.web.services.params import choices_of

COMMON = {"db", "dataset", "version", "format", "out", "table", "wide", "scheduler", "workers"}

# kind: (command path, {web parameter: CLI option}, web-only parameters, CLI-only options)
PAIRS: dict[str, tuple[tuple[str, ...], dict[str, str], set[str], set[str]]] = {
    "localisation": (("analyze", "localisation"), {}, set(), {"top", "paths"}),
    "concentration": (("analyze", "concentration"), {}, set(), {"choke_share", "strategic_hhi"}),
    "balance": (("analyze", "balance"), {}, set(), {"all_years"}),
    "matching": (("analyze", "matching"), {}, set(), {"top"}),
    "compliance": (("analyze", "compliance"), {}, set(), {"until"}),
    "shock": (
        ("shock", "run"),
        {"scenario": "name", "window": "weeks"},
        # the ad-hoc disruption of the web form; the CLI edits a scenario instead (importsub scenario set)
        {"target_kind", "target", "severity", "weeks", "recovery"},
        {"backlog"},
    ),
    "sweep": (("shock", "sweep"), {}, set(), {"screen", "backlog", "top"}),
    "montecarlo": (
        ("shock", "montecarlo"),
        {},
        set(),
        {"country", "policy", "target_weeks", "rationing", "recovery"},
    ),
    "simulate": (("shock", "simulate"), {"scenario": "name"}, set(), set()),
    "programme": (("programme",), {}, set(), {"size", "changes"}),
    "project": (("projects", "show"), {}, set(), set()),
    "impact": (("projects", "impact"), {}, set(), {"vehicle", "scenario"}),
    "portfolio": (
        ("portfolio",),
        {},
        set(),
        {"vehicle", "method", "gap", "time_limit"},
    ),
}
WEB_ONLY_KINDS = {"summary", "demand"}  # counted records; derived demand (the CLI shows it in ``analyze localisation``)

DIFFERENT_DEFAULTS = {
    # a background job on the portfolio page shows the frontier, at fewer points (each point is one MIP);
    # the CLI solves one budget unless asked
    ("portfolio", "sweep"): (True, False),
    ("portfolio", "steps"): (6, 11),
}

ANALYSES = build_analyses()


def _command(path: tuple[str, ...]) -> Any:
    cmd = load_command(path[0])
    for name in path[1:]:
        cmd = cmd.commands[name]
    return cmd


def _options(cmd: Any) -> dict[str, Any]:
    """The command's options by their long flag (``--target-weeks`` → ``target_weeks``) and its arguments by name."""
    out = {}
    for p in cmd.params:
        kind = getattr(p, "param_type_name", "")
        if kind == "option":
            flag = max(p.opts, key=len).lstrip("-").replace("-", "_")
            out[flag] = p
        elif kind == "argument":
            out[p.name] = p
    return out


def test_every_kind_is_paired_or_web_only() -> None:
    assert set(ANALYSES) == set(PAIRS) | WEB_ONLY_KINDS


@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_cli_options_match_the_declared_parameters(kind: str) -> None:
    path, renamed, web_only, cli_only = PAIRS[kind]
    model = ANALYSES[kind].params
    options = _options(_command(path))
    shared = {name: renamed.get(name, name) for name in model.model_fields if name not in web_only}
    unknown = {w: c for w, c in shared.items() if c not in options}
    assert not unknown, f"{kind}: declared parameters without a CLI option: {unknown}"
    extra = set(options) - set(shared.values()) - COMMON - cli_only
    assert not extra, f"{kind}: CLI options not declared (declare them or list them as CLI-only): {sorted(extra)}"
    assert not (web_only & set(options)) or kind == "shock", f"{kind}: a web-only parameter is a CLI option"
    for web, cli in shared.items():
        f = model.model_fields[web]
        option = options[cli]
        declared = None if f.is_required() or f.default_factory is not None else f.default
        if f.default_factory is not None and isinstance(f.default_factory(), dt.date):  # type: ignore[call-arg]
            declared = None  # today: the CLI's default too (None = today)
        cli_default = None if option.param_type_name == "argument" else option.default
        if (kind, web) in DIFFERENT_DEFAULTS:
            assert (declared, cli_default) == DIFFERENT_DEFAULTS[kind, web], f"{kind}.{web}: defaults changed"
            continue
        assert declared == cli_default, f"{kind}.{web}: default {declared!r} on the web, {cli_default!r} in the CLI"
        codes = choices_of(f)
        if codes is not None and option.param_type_name == "option":
            help_text = option.help or ""
            missing = [c for c in codes if c not in help_text]
            assert not missing, f"{kind}.{web}: choices {missing} are not named in the CLI's help {help_text!r}"
