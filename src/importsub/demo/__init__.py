"""The embedded demo dataset ``by-ru-auto``.

The Belarus–Russia automotive import-substitution programme as a multi-tier
supply network (vehicle plants, modules, components, materials), with the
four public joint projects, scenarios and public output figures cited in each
table's ``source`` column.  It ships as CSV files in ``demo/data/by-ru-auto/``
(the format :mod:`importsub.io.csv` reads); :mod:`importsub.demo.derive` computes
the derived tables among them.  Bundled datasets are functions, like PyPSA's
``examples``.

Examples
--------
>>> from importsub import demo
>>> ds = demo.load()
>>> ds.name
'by-ru-auto'
>>> ds.projects.height, ds.programme.get_column("size").item()
(4, 14)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from importsub.io import read_path
from importsub.model.dataset import Dataset

#: Name of the demo dataset.
NAME: Final[str] = "by-ru-auto"

#: The folder of CSV files the demo is read from.
DATA: Final[Path] = Path(__file__).parent / "data" / NAME

# The size of the joint programme (fourteen joint import-substitution projects, TASS) is a
# record of the dataset (``programme.csv``), so it travels with the data under any name.  Only
# four projects are public (LED optics at Rudensk, braking systems, the Orsha ring-rolling mill,
# plastic parts in Togliatti) and only those are in the dataset; the other ten are not public
# and are deliberately not invented.

__all__ = ["DATA", "NAME", "load"]


@lru_cache(maxsize=1)
def load() -> Dataset:
    """The checked demo dataset ``by-ru-auto``.

    Read from the CSV files in :data:`DATA` and validated (a file there that
    does not pass is reported with its file, row and column); deterministic,
    so two calls give the same fingerprint.  A :class:`Dataset` is immutable,
    so the read object is cached and shared.

    Returns
    -------
    Dataset
        Dataset named ``"by-ru-auto"``; money in RUB, capacities and demand in
        units/yr, lead times and times to recover in weeks.
    """
    ds = read_path(DATA, name=NAME)
    return Dataset(ds.name, ds.tables, None)
