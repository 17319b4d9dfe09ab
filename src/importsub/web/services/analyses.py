"""What a background job can run: analysis kinds (:class:`AnalysisSpec`) in a registry (:class:`Analyses`).

The app factory builds one :class:`Analyses` (see
:func:`importsub.web.services.catalogue.build_analyses`) and keeps it on
``app.state.analyses``; the API, the pages and the job worker read it from
there.  Nothing here is filled at import: a registry is an object, so two
apps in one process (tests, a script next to a server) never share one.

A capability adds its kinds in a ``register_all(analyses)`` function of its
own module (:mod:`~importsub.web.services.network`,
:mod:`~importsub.web.services.shocks`,
:mod:`~importsub.web.services.programme`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict

from importsub.model.dataset import Dataset
from importsub.web.i18n import N_
from importsub.web.services.params import described, param

ProgressFn = Callable[[float, str | None], None]
"""progress(fraction done 0–1, message)."""


class NoParams(BaseModel):
    """An analysis without parameters."""

    model_config = ConfigDict(extra="forbid")


class NetworkParams(BaseModel):
    """Parameters of analyses on a compiled network."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | None = param(
        None,
        label=N_("Scenario"),
        help=N_("Scenario whose demand changes, projects and year apply (none: the base data)"),
        widget="scenario",
        max_length=200,
    )
    year: int | None = param(
        None,
        label=N_("Year of demand"),
        help=N_("Default: the scenario's year, else the latest year with demand not after the current year"),
        unit="year",
        widget="year",
        ge=1900,
        le=2200,
    )


GROUP_HELP = N_("Country group (e.g. union) or ISO2 code whose content counts as domestic")


class LocalisationParams(NetworkParams):
    group: str = param("union", label=N_("Domestic group"), help=GROUP_HELP, min_length=1, max_length=100)


@dataclass(frozen=True)
class ResultTables:
    """What an analysis run hands back: named tables and the fingerprint of its inputs."""

    name: str
    tables: dict[str, pl.DataFrame]
    fingerprint: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalysisSpec:
    """One analysis kind the service can run.

    Whose figure each column of its result is comes from the result
    declarations (:mod:`importsub.model.results`), by ``kind``.  ``arrange``
    runs on the masked tables of a non-admin viewer: it re-orders rows
    ranked by a figure the viewer may not see (and re-ranks among what they
    may see), so the order reveals nothing.
    """

    kind: str
    title: str  # marked with N_, translated when shown
    params: type[BaseModel]
    run: Callable[[Dataset, BaseModel, ProgressFn], Any]
    arrange: Callable[[dict[str, pl.DataFrame]], dict[str, pl.DataFrame]] | None = None
    charts: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    """Chart of each table in reports: (label column, value column) for bars, (x column, value column, series
    column) for lines (one per series value, e.g. output per week and OEM), None for none; default: guessed."""

    def describe(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """A run's parameters as (label, value) in the page language (:func:`params.described`)."""
        return described(self.params, params)


@dataclass(frozen=True)
class Fanout:
    """Where the sweeps and Monte Carlo batches of background jobs run (:func:`importsub.distributed.map_chunks`).

    ``scheduler``: an existing Dask scheduler's address; else ``workers``
    local processes (0 = in the worker thread).
    """

    scheduler: str | None = None
    workers: int = 0


class Analyses(Mapping[str, AnalysisSpec]):
    """The analysis kinds one app runs, by kind, in the order they were registered.

    Parameters
    ----------
    fanout : Fanout, optional
        Where the kinds registered here send their long work (default: in the worker thread).

    Examples
    --------
    >>> from importsub.web.services.analyses import AnalysisSpec, NoParams
    >>> analyses = Analyses()
    >>> analyses.register(AnalysisSpec("nothing", "Nothing", NoParams, lambda ds, params, progress: None))
    >>> list(analyses), "nothing" in analyses, analyses.fanout.workers
    (['nothing'], True, 0)
    """

    def __init__(self, fanout: Fanout | None = None) -> None:
        self.fanout = fanout or Fanout()
        self._specs: dict[str, AnalysisSpec] = {}

    def register(self, spec: AnalysisSpec) -> None:
        """Make an analysis kind available to the API, the pages and the worker (a kind is registered once)."""
        if spec.kind in self._specs:
            raise ValueError(f"analysis kind {spec.kind!r} is registered twice")
        self._specs[spec.kind] = spec

    def __getitem__(self, kind: str) -> AnalysisSpec:
        return self._specs[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"Analyses({', '.join(self._specs)})"
