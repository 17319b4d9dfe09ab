"""The notebook API: ``import importsub`` and every analysis from the top level, lazily."""

from __future__ import annotations

import doctest
import subprocess
import sys
import types

import polars as pl
import pytest

import importsub

SESSION = """
import sys
import importsub
assert "importsub.compile" not in sys.modules and "polars" not in sys.modules  # lazy: nothing heavy yet
ds = importsub.demo.load()
net = importsub.compile(ds)
r = importsub.localisation(net)
print(r["vehicles"].height, type(r.to_pandas("vehicles")).__name__)
"""


def test_session_in_a_fresh_interpreter() -> None:
    done = subprocess.run([sys.executable, "-c", SESSION], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["20", "DataFrame"]  # the demo's 20 vehicle models


def test_session_docstring() -> None:
    failed, attempted = doctest.testmod(importsub, optionflags=doctest.ELLIPSIS)
    assert attempted >= 4
    assert failed == 0


def test_compile_is_callable_whatever_was_imported_first() -> None:
    code = "import importsub.compile, importsub.analysis, importsub; importsub.compile(importsub.demo.load())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("name", importsub.__all__)
def test_every_export_resolves(name: str) -> None:
    value = getattr(importsub, name)
    assert name in dir(importsub)
    if name not in ("__version__", "demo"):
        assert callable(value), name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="localization"):
        importsub.localization  # noqa: B018


def test_analysis_modules_are_modules_and_their_analysis() -> None:
    import importsub.analysis.localisation as loc
    from importsub.analysis import balance, localisation

    assert isinstance(loc, types.ModuleType)
    assert loc is localisation
    assert callable(loc.coverage)
    assert isinstance(balance, types.ModuleType)
    net = importsub.compile(importsub.demo.load())
    a, b = localisation(net), importsub.localisation(net)
    assert a.names == b.names
    assert a["vehicles"].equals(b["vehicles"])
    assert isinstance(b["vehicles"], pl.DataFrame)
    pd_tables = b.to_pandas()
    assert set(pd_tables) == set(b.names)
    assert list(pd_tables["vehicles"].columns) == b["vehicles"].columns
