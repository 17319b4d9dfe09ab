"""Dataset (+ scenario) → :class:`Network`: index maps and CSR matrices, built in one place.

>>> from importsub.compile import compile, Network  # doctest: +SKIP
"""

from importsub.callable_module import make_callable
from importsub.compile.build import YEAR_RULE, compile, default_year, demand_years
from importsub.compile.network import Network

__all__ = ["YEAR_RULE", "Network", "compile", "default_year", "demand_years"]

# ``importsub.compile`` is this package once imported; calling it compiles (the notebook API)
make_callable(__name__, compile)
