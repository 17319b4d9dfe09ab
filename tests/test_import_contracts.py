"""The package's layers as import contracts (``[tool.importlinter]`` in pyproject.toml), checked by import-linter.

import-linter reads every import of the source (grimp), also those inside functions,
so an import moved into a function cannot hide an upward import or a cycle.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter import configuration
from importlinter.application.use_cases import lint_imports, read_user_options

configuration.configure()  # import-linter's readers and graph builder, as its command line sets them up

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PACKAGES = {"cli", "web", "reports", "analysis", "solvers", "distributed", "compile", "store", "demo", "io", "model"}
#: top-level modules with a layer of their own (``units``: the one humaniser, below every package)
MODULES = {"units"}


def test_the_layers_name_every_package() -> None:
    """Every subpackage of importsub (and each layered top-level module) sits in a layer, so none escapes."""
    import importsub

    options = read_user_options(str(PYPROJECT))
    layers = next(c for c in options.contracts_options if c["type"] == "layers")["layers"]
    named = {part.strip().removeprefix("importsub.") for layer in layers for part in layer.replace(":", "|").split("|")}
    on_disk = {p.name for p in Path(importsub.__file__).parent.iterdir() if (p / "__init__.py").exists()}
    modules = {name for name in MODULES if (Path(importsub.__file__).parent / f"{name}.py").is_file()}
    assert named == PACKAGES | MODULES == on_disk | modules


def test_the_import_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """``lint-imports`` through its Python API: every contract kept (the message is its report)."""
    kept = lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True, is_debug_mode=True)
    report = capsys.readouterr().out
    assert kept, report
