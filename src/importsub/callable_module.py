"""A module that is also its main function (``importsub.compile(ds)``, ``importsub.analysis.balance(net)``).

Python binds a subpackage or submodule as an attribute of its parent once it is imported,
so a function and a module of the same name would shadow each other depending on import
order.  Making the module callable removes the ambiguity: the name is always the module,
and calling it calls its main function.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any, cast


class CallableModule(types.ModuleType):
    """A module whose call is its main function (kept in ``__main_function__``)."""

    __main_function__: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__main_function__(*args, **kwargs)


def make_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Make the (imported) module ``module_name`` call ``function`` when called."""
    module = sys.modules[module_name]
    module.__class__ = CallableModule
    cast(CallableModule, module).__main_function__ = function
