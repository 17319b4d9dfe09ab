"""The embedded demo dataset ``by-ru-auto``.

The Belarus–Russia automotive import-substitution programme as a multi-tier
supply network (vehicle plants, modules, components, materials), with the
four public joint projects, scenarios and public output figures cited in each
table's ``source`` column.  Bundled datasets are functions, like PyPSA's
``examples``.

Examples
--------
>>> from importsub import demo
>>> ds = demo.load()
>>> ds.name
'by-ru-auto'
>>> ds.projects.height <= demo.PROGRAMME_SIZE
True
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from importsub.demo import by_ru_auto
from importsub.model.dataset import Dataset

#: Name of the demo dataset.
NAME: Final[str] = by_ru_auto.NAME

#: Size of the joint programme: fourteen joint import-substitution projects
#: (TASS, interview of the Belarusian Prime Minister).  Only four are public
#: (LED optics at Rudensk, braking systems, the Orsha ring-rolling mill, plastic
#: parts in Togliatti) and only those are in the dataset; the other ten are not
#: public and are deliberately not invented.
PROGRAMME_SIZE: Final[int] = by_ru_auto.PROGRAMME_SIZE  # = 14

__all__ = ["NAME", "PROGRAMME_SIZE", "load"]


@lru_cache(maxsize=1)
def load() -> Dataset:
    """The checked demo dataset ``by-ru-auto``.

    Built in memory from the tables in :mod:`importsub.demo.by_ru_auto` and
    validated with :func:`importsub.model.validate.check`; deterministic, so
    two calls give the same fingerprint.  A :class:`Dataset` is immutable, so
    the built object is cached and shared.

    Returns
    -------
    Dataset
        Dataset named ``"by-ru-auto"``; money in RUB, capacities and demand in
        units/yr, lead times and times to recover in weeks.
    """
    return by_ru_auto.build()
