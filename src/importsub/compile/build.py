"""Build a :class:`~importsub.compile.network.Network` from a dataset: :func:`compile`.

The stages (index maps, nodes, links, need, matrices, levels, demand, stock)
are in :mod:`importsub.compile.stages`, the matrices themselves (S, A, P, B,
w, levels) in :mod:`importsub.compile.matrices`, and the project rule in
:mod:`importsub.compile.projects`.

Everything here is vectorised (polars enum casts, integer keys, numpy
``searchsorted`` / ``bincount`` and scipy.sparse products); there is no loop
over records, so a dataset of a million sites compiles in seconds.

Key rules (see :mod:`importsub.compile.network` for the notation):

* nodes are production records, in the order of the ``production`` table;
* a procurement group ``g`` is a (buyer site, part) pair with supply links;
* ``need[g, j]`` is the BOM quantity of g's part per unit of node j's part,
  for every node j at g's site whose part has that child;
* ``A = S · need`` with ``S[i(e), g(e)] = σ_e`` (so ``A[i, j] = Σ_e σ_e
  need[g(e), j]``), summed, explicit zeros dropped;
* ``B[i, j] = A[i, j] v_i / v_j`` and ``w = 1 − colsum(B)``;
* stock: inventory at (site, part) counts as the node's own finished stock
  when the site produces the part (even if it also buys it), otherwise as
  stock of the purchased input of procurement group (site, part); inventory
  matching neither is not used;
* ``unmapped_inputs[j] = Σ_c q_{part_j, c} · value(c) / v_j`` over BOM
  children c of node j's part with no supply link at j's site (value of
  ``c`` = the part's unit value).  A site that makes an input itself must
  still list a supply link to itself for the input to count as mapped.
"""

from __future__ import annotations

from collections.abc import Sequence

from importsub.compile.network import Network
from importsub.compile.projects import compile_with_projects
from importsub.compile.stages import (
    VALUE_ADDED_TOLERANCE,
    YEAR_RULE,
    build_network,
    check_production,
    default_year,
    demand_years,
    resolve,
)
from importsub.model.dataset import Dataset

__all__ = ["VALUE_ADDED_TOLERANCE", "YEAR_RULE", "compile", "default_year", "demand_years"]


def compile(
    dataset: Dataset,
    scenario: str | None = None,
    year: int | None = None,
    *,
    projects: Sequence[str] | None = None,
) -> Network:
    """Compile a dataset (plus a scenario's overrides) into a :class:`Network`.

    Parameters
    ----------
    dataset : Dataset
        A typed dataset (validated by :func:`importsub.model.validate.check`
        or read from the store).
    scenario : str, optional
        Name of a row of ``dataset.scenarios``: its ``demand_changes``
        multiply base demand (``d = factor · units``) and its ``year`` is used
        when ``year`` is not given.
    year : int, optional
        Year of demand.  Default: the scenario's year, else
        :func:`default_year` (the latest year with demand not after the
        current year; the fingerprint's ``year rule`` says which applied).
    projects : sequence of str, optional
        Projects whose capacity joins the network for ``year`` (default: the
        scenario's projects): capacity = target × ramp-up fraction at the host
        site, taking over the listed substitutable imported links, largest
        import first, up to that capacity
        (:func:`importsub.compile.projects.application`).  Nothing in the
        dataset changes; the fingerprint names the projects and the rule.

    Returns
    -------
    Network
        ``A`` [units of i per unit of j], ``B`` [RUB of i per RUB of j],
        ``w`` [fraction], ``demand`` [units/yr] and the rest, see
        :class:`~importsub.compile.network.Network`.

    Raises
    ------
    AnalysisError
        Empty dataset, no demand, a year without demand (names the years
        that have some), unknown scenario, unknown references, a cycle (names
        its nodes), negative value added (names the node).

    Examples
    --------
    >>> import polars as pl
    >>> from importsub.model.dataset import Dataset
    >>> ds = Dataset.from_frames("tiny", {
    ...     "countries": pl.DataFrame({"iso2": ["RU"], "name": ["Russia"]}),
    ...     "organizations": pl.DataFrame({"id": ["O"], "name": ["O"], "country": ["RU"], "kind": ["oem"]}),
    ...     "sites": pl.DataFrame({"id": ["S"], "organization": ["O"], "name": ["S"], "country": ["RU"],
    ...                            "lat": [55.0], "lon": [37.0]}),
    ...     "parts": pl.DataFrame({"id": ["CAR"], "name": ["car"], "category": ["vehicle"], "unit_value": [1e6]}),
    ...     "production": pl.DataFrame({"site": ["S"], "part": ["CAR"], "capacity": [10.0]}),
    ...     "demand": pl.DataFrame({"site": ["S"], "part": ["CAR"], "year": [2024], "units": [5.0]}),
    ... })
    >>> net = compile(ds)
    >>> net.n_nodes, float(net.demand[0]), net.year
    (1, 5.0, 2024)
    """
    check_production(dataset)
    resolved = resolve(dataset, scenario, year)
    active = list(projects) if projects is not None else resolved.scenario_projects
    if active:
        # the one rule for applying projects (capacity = target × ramp-up at the host site, taking over
        # the listed imported links largest first): a modified copy of the dataset, compiled without projects
        return compile_with_projects(dataset, active, resolved.year, scenario=scenario)
    return build_network(dataset, scenario, resolved, active)
