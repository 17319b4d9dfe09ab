"""The first-stage choices of the portfolio MIP: each project at each capacity level, applied alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from importsub.analysis.projects import application
from importsub.compile.network import Network
from importsub.model.dataset import Dataset
from importsub.model.errors import NotFoundError


@dataclass(frozen=True)
class Option:
    """One fundable choice: a project at a capacity level.

    Attributes
    ----------
    index : int
    project : str
    level : float [× target]
    capex : float [RUB]            project capex × level
    capacity : dict[(site, part), float] [units/yr]   capacity added at the host
    transfers : dict[(buyer, part, supplier), float] [fraction]   share change of each link
    created : frozenset[(buyer, part, supplier)]   links the option creates (not in the dataset)
    """

    index: int
    project: str
    level: float
    capex: float
    capacity: dict[tuple[str, str], float]
    transfers: dict[tuple[str, str, str], float]
    created: frozenset[tuple[str, str, str]]

    @property
    def label(self) -> str:
        return self.project if self.level == 1.0 else f"{self.project} ×{self.level:g}"


def options(ds: Dataset, year: int, projects: Sequence[str] | None = None, base: Network | None = None) -> list[Option]:
    """The options of every project (levels 1 and ``max_scale``), each applied alone.

    ``capex`` of a level = project capex × level [RUB].
    """
    ids = ds.projects.get_column("id").to_list() if projects is None else list(projects)
    info = {r["id"]: r for r in ds.projects.iter_rows(named=True)}
    missing = [p for p in ids if p not in info]
    if missing:
        raise NotFoundError(f"dataset {ds.name!r}: unknown project(s) {', '.join(missing)}")
    base_links = set(
        zip(
            ds.supply_links.get_column("buyer").to_list(),
            ds.supply_links.get_column("part").to_list(),
            ds.supply_links.get_column("supplier").to_list(),
            strict=True,
        )
    )
    out: list[Option] = []
    for p in ids:
        top = float(info[p]["max_scale"] or 1.0)
        levels = [1.0] if top <= 1.0 else [1.0, top]
        for level in levels:
            app = application(ds, [p], year, scale=level, base=base)
            cap = {
                (r["host site"], r["part"]): float(r["capacity added [units/yr]"])
                for r in app.capacity.iter_rows(named=True)
                if r["capacity added [units/yr]"] > 0
            }
            transfers: dict[tuple[str, str, str], float] = {}
            created: set[tuple[str, str, str]] = set()
            host = info[p]["host_site"]
            for r in app.takeovers.iter_rows(named=True):
                d = r["share before [fraction]"] - r["share after [fraction]"]
                if d <= 0:
                    continue
                key = (r["buyer"], r["part"], r["supplier"])
                transfers[key] = transfers.get(key, 0.0) - d
                hk = (r["buyer"], r["part"], host)
                transfers[hk] = transfers.get(hk, 0.0) + d
                if hk not in base_links:
                    created.add(hk)
            capex = float(info[p]["capex"] or 0.0) * level
            out.append(Option(len(out), p, level, capex, cap, transfers, frozenset(created)))
    return out


def shared_links(opts: Sequence[Option]) -> list[tuple[str, str, str]]:
    """Substituted links that options of different projects both reduce (additivity fails there)."""
    owner: dict[tuple[str, str, str], str] = {}
    shared: set[tuple[str, str, str]] = set()
    for o in opts:
        for k, d in o.transfers.items():
            if d < 0:
                if k in owner and owner[k] != o.project:
                    shared.add(k)
                owner.setdefault(k, o.project)
    return sorted(shared)
