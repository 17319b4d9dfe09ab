"""importsub: decision support for import substitution in automotive supply chains.

A notebook session::

    >>> import importsub
    >>> ds = importsub.demo.load()
    >>> net = importsub.compile(ds)
    >>> r = importsub.localisation(net)
    >>> r.names[:1]
    ('vehicles',)

Every analysis is reachable from the top level and returns a
:class:`~importsub.analysis.result.Result` of polars frames (``r["vehicles"]``,
``.to_pandas()`` for pandas).  Names are imported on first use (module
``__getattr__``), so ``import importsub`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> (module, attribute); attribute None: the module itself
_EXPORTS: dict[str, tuple[str, str | None]] = {
    # data
    "Dataset": ("importsub.model.dataset", "Dataset"),
    "demo": ("importsub.demo", None),
    "synth": ("importsub.demo.synth", "synth"),
    "read": ("importsub.io", "read_path"),
    "write": ("importsub.io", "write_path"),
    # compile
    "compile": ("importsub.compile", "compile"),
    "Network": ("importsub.compile", "Network"),
    "Shock": ("importsub.compile.shock", "Shock"),
    # analyses on a Network
    "Result": ("importsub.analysis.result", "Result"),
    "localisation": ("importsub.analysis.localisation", "localisation"),
    "demand": ("importsub.analysis.demand", "derived_demand"),
    "concentration": ("importsub.analysis.concentration", "concentration"),
    "balance": ("importsub.analysis.balance", "balance"),
    "balance_years": ("importsub.analysis.balance", "balance_years"),
    "matching": ("importsub.analysis.matching", "matching"),
    "run_shock": ("importsub.analysis.disruption", "run_shock"),
    "sweep": ("importsub.analysis.disruption", "sweep"),
    "tts": ("importsub.analysis.disruption", "tts"),
    "montecarlo": ("importsub.analysis.montecarlo", "montecarlo"),
    "MonteCarloSpec": ("importsub.analysis.montecarlo", "MonteCarloSpec"),
    # analyses on a Dataset (projects, portfolio, programme)
    "impact": ("importsub.analysis.projects", "impact"),
    "PortfolioModel": ("importsub.analysis.portfolio", "PortfolioModel"),
    "portfolio": ("importsub.analysis.portfolio", "optimise"),
    "frontier": ("importsub.analysis.portfolio", "frontier"),
    "programme": ("importsub.analysis.programme", "programme_summary"),
    "projects": ("importsub.analysis.programme", "project_list"),
    "milestones": ("importsub.analysis.programme", "milestones"),
}

__all__ = [
    "Dataset",
    "MonteCarloSpec",
    "Network",
    "PortfolioModel",
    "Result",
    "Shock",
    "__version__",
    "balance",
    "balance_years",
    "compile",
    "concentration",
    "demand",
    "demo",
    "frontier",
    "impact",
    "localisation",
    "matching",
    "milestones",
    "montecarlo",
    "portfolio",
    "programme",
    "projects",
    "read",
    "run_shock",
    "sweep",
    "synth",
    "tts",
    "write",
]

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
    from importsub import demo
    from importsub.analysis.balance import balance, balance_years
    from importsub.analysis.concentration import concentration
    from importsub.analysis.demand import derived_demand as demand
    from importsub.analysis.disruption import run_shock, sweep, tts
    from importsub.analysis.localisation import localisation
    from importsub.analysis.matching import matching
    from importsub.analysis.montecarlo import MonteCarloSpec, montecarlo
    from importsub.analysis.portfolio import PortfolioModel, frontier
    from importsub.analysis.portfolio import optimise as portfolio
    from importsub.analysis.programme import milestones
    from importsub.analysis.programme import programme_summary as programme
    from importsub.analysis.programme import project_list as projects
    from importsub.analysis.projects import impact
    from importsub.analysis.result import Result
    from importsub.compile import Network, compile
    from importsub.compile.shock import Shock
    from importsub.demo.synth import synth
    from importsub.io import read_path as read
    from importsub.io import write_path as write
    from importsub.model.dataset import Dataset


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'importsub' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
