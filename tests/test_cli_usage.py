"""Usage errors of the command line: click's usage message and exit code 2, never "internal error".

Run against the typer and click a fresh install takes (the newest the ranges
in pyproject.toml admit; typer 0.29 raises the exceptions of the click copy it
carries, which are not click's).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from importsub.cli.common import _CLICK_ERRORS, _EXITS, run
from importsub.cli.main import app

VERSIONS = f"typer {version('typer')}, click {version('click')}"


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTSUB_DB", str(tmp_path / "store.sqlite"))
    monkeypatch.delenv("IMPORTSUB_DEBUG", raising=False)


CASES = [
    (["improt", "x.xlsx"], "No such command 'improt'"),
    (["import"], "Missing argument"),
    (["analyze", "balance", "--year", "abc"], "Invalid value for '--year'"),
    (["datasets", "--bogus"], "No such option: --bogus"),
    (["validate", "/nonexistent/programme.xlsx"], "does not exist"),
    (["import", "/nonexistent/folder"], "does not exist"),
    (["synth", "--sites", "2"], "Invalid value for '--sites'"),
    (["export"], "Missing argument"),
    (["shock", "montecarlo", "--runs", "many"], "Invalid value for '--runs'"),
]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_usage_error_is_clicks_message_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(app, args)
    captured = capsys.readouterr()
    assert code == 2, (VERSIONS, captured.err)
    assert message in captured.err, (VERSIONS, captured.err)
    assert "Usage: importsub" in captured.err
    assert "--help" in captured.err
    assert "internal error" not in captured.err
    assert "This is a bug" not in captured.err
    assert captured.out == ""


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(app, ["--help"]) == 0
    assert "Usage" in capsys.readouterr().out
    assert run(app, ["--version"]) == 0
    assert "importsub" in capsys.readouterr().out


def test_no_arguments_shows_help_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(app, [])
    captured = capsys.readouterr()
    assert code in (0, 2)  # click 8.2+ exits 2 after printing help for a bare group
    assert "Commands" in captured.out + captured.err
    assert "internal error" not in captured.err


def test_every_installed_click_is_caught() -> None:
    # whichever copy of click raised, run() catches it: typer's own (0.29+) and the click package
    modules = {c.__module__ for c in _CLICK_ERRORS}
    try:
        import typer._click.exceptions  # noqa: F401

        assert "typer._click.exceptions" in modules
    except ImportError:  # an older typer raises click's classes
        pass
    try:
        import click

        assert click.ClickException in _CLICK_ERRORS
        assert click.exceptions.Exit in _EXITS
    except ImportError:  # pragma: no cover - click is a dependency of uvicorn and distributed
        pass


def test_entry_point_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "IMPORTSUB_DB": str(tmp_path / "s.sqlite")}
    env.pop("IMPORTSUB_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "importsub", "analyze", "balance", "--year", "abc"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Invalid value for '--year'" in proc.stderr
    assert "Traceback" not in proc.stderr
