"""Every example in the package's docstrings runs and gives what it shows (``doctest``)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import importsub


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(importsub.__path__, "importsub."):
        if ".migrations" in info.name:
            continue
        spec = importlib.util.find_spec(info.name)
        if spec is not None and spec.origin and ">>>" in Path(spec.origin).read_text(encoding="utf-8"):
            names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_examples_are_found() -> None:
    assert {"importsub.io", "importsub.model.records", "importsub.compile.build"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=False)
    assert failed == 0, f"{name}: {failed} example(s) failed; run python -m doctest -v on it"
