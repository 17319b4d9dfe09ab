"""Every analysis kind this service runs, as one registry: what the app factory puts on ``app.state.analyses``."""

from __future__ import annotations

from importsub.web.services import network, programme, shocks
from importsub.web.services.analyses import Analyses, Fanout


def build_analyses(fanout: Fanout | None = None) -> Analyses:
    """A registry of every analysis kind: the summary and network analyses; shocks, sweeps and Monte Carlo;
    programme, projects and portfolio (in that order, the order the analyses page lists them).

    Parameters
    ----------
    fanout : Fanout, optional
        Where sweeps and Monte Carlo batches run (default: in the worker thread).

    Examples
    --------
    >>> analyses = build_analyses()
    >>> list(analyses)[:3], "portfolio" in analyses
    (['summary', 'demand', 'localisation'], True)
    """
    analyses = Analyses(fanout)
    network.register_all(analyses)
    shocks.register_all(analyses)
    programme.register_all(analyses)
    return analyses
