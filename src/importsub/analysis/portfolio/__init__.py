"""Portfolio optimisation: which projects to fund under a budget, as one HiGHS MIP.

The model (one mixed-integer programme)
---------------------------------------
**First stage.**  Every project ``p`` is offered at capacity levels
``{1}`` or, where its ``max_scale`` exceeds 1, ``{1, max_scale}`` [× target]:
each level is an *option* ``o`` with a binary ``y_o`` and capex
``capex_p × level`` [RUB] (capex assumed proportional to capacity).  At most
one option per project; ``Σ_o capex_o y_o ≤ budget``.

An option changes the network exactly as :func:`importsub.analysis.projects.application`
applies it alone (capacity ``K_o`` [units/yr] at the host node, shares
``Δ_{o,e}`` moved from substituted links to the host's links).  Those changes
are computed from the network *without projects*, so the network of a chosen
set ``S`` has ``capacity = cap⁰ + Σ_{o∈S} K_o`` and ``σ = σ⁰ + Σ_{o∈S} Δ_o``:
additive in ``y``.  (This holds exactly unless two candidate projects name
the same substitutable link; then the chosen set is re-evaluated by applying
it for real and the result says so.)  Every option's nodes and links live in
one *super network* ``N*`` (all projects applied at their largest level).

**Second stage, loss.**  For each scenario ``s`` (weight ``w_s``, its
disruptions as a :class:`~importsub.compile.shock.Shock` on ``N*`` over its
window ``t_s``) a copy of the TTR linear programme of
:mod:`importsub.analysis.disruption` (built by ``build_ttr``, not rewritten)
with the first stage coupled in:

* host production ``p_j ≤ (cap⁰_j + Σ_o K_{o,j} y_o) τ a_j`` (and its pool);
* a link that only exists when an option creates it: ``f_e ≤ M_e Σ_o y_o``
  with ``M_e`` the supplier's largest production plus stock;
* a non-qualified link's bound ``f_e ≤ σ_e(y) · need_g(y) · τ``: with
  ``need_g`` constant (the buyer is not upstream of any change) it is linear
  in ``y``; otherwise ``need_g = need[g]·x`` with the gross output ``x``
  as variables (below) and ``y_o · need_g`` linearised exactly (McCormick
  with ``y`` binary).

**Localisation.**  The group's domestic value added in the chosen vehicles
is (value-added accounting, DESIGN.md) ``DVA = Σ_j g_j w_j v_j x_j =
Σ_{j∈G} v_j x_j − Σ_{e: buyer in G} v_{i(e)} f_e`` with flows
``f_e = σ_e(y) · (need · x)_{g(e)}`` and ``(I − A(y)) x = d``.  This is not
additive over projects (a project feeding another's host changes its
inputs), so it is formulated exactly: ``x`` are variables,
``z_{o,g} = y_o · (need·x)_g`` is linearised by McCormick with an upper bound
``U_g`` from the largest shares (``x`` is monotone in ``A``), and only for
groups whose need can change (upstream of a change); elsewhere
``z_{o,g} = y_o · need⁰_g``.  Import content of the vehicle set is
``1 − DVA / Σ d v``.

**Objectives** (minimised internally): ``loss`` = expected lost margin
``Σ_s w_s · lost_s`` [RUB]; ``localisation`` = ``−DVA`` [RUB/yr];
``mix`` = ``Σ_s w_s lost_s − λ · DVA`` with ``λ`` [RUB of expected loss per
RUB/yr of domestic value added] given by the user.

Greedy comparison and explanation
---------------------------------
Every option is evaluated alone (the MIP with ``y`` fixed); greedy funds
options by benefit / capex, best first, while the budget allows (one option
per project).  The MIP's optimum can never be worse than the greedy set or
any single project (both are feasible points of the MIP).  For each funded
project the result gives its marginal contribution (objective with the
chosen set minus that project) and its loss avoided per scenario.

Where the parts live
--------------------
``choices``   the first-stage choices (:class:`Option`, :func:`options`)
``assembly``  sparse COO assembly of the MIP and its scaling
``algebra``   vehicle demand, gross output on given shares, upstream nodes
``stages``    the blocks of the MIP (first stage, gross output, localisation, second stage)
``model``     :class:`PortfolioModel`: build, HiGHS instances, solve and evaluate
``solve``     :func:`optimise`, :func:`greedy`, :func:`frontier`, :func:`evaluate_applied`
``tables``    the result tables
``synth``     synthetic projects and scenarios (:func:`synth_projects`, :func:`synth_scenarios`)
"""

from importsub.analysis.portfolio.choices import Option, options, shared_links
from importsub.analysis.portfolio.model import MIP_REL_GAP, OBJECTIVES, Evaluation, PortfolioModel
from importsub.analysis.portfolio.solve import evaluate_applied, frontier, greedy, optimise, sweep_budgets
from importsub.analysis.portfolio.stages import WEEKS_PER_YEAR
from importsub.analysis.portfolio.synth import synth_projects, synth_scenarios

__all__ = [
    "MIP_REL_GAP",
    "OBJECTIVES",
    "WEEKS_PER_YEAR",
    "Evaluation",
    "Option",
    "PortfolioModel",
    "evaluate_applied",
    "frontier",
    "greedy",
    "optimise",
    "options",
    "shared_links",
    "sweep_budgets",
    "synth_projects",
    "synth_scenarios",
]
