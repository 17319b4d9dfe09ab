"""Dataset (+ scenario) → :class:`Network`: index maps and CSR matrices, built in one place.

>>> from importsub.compile import compile, Network  # doctest: +SKIP
"""

from importsub.compile.build import compile
from importsub.compile.network import Network

__all__ = ["Network", "compile"]
