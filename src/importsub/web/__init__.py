"""The web service: REST API and server-rendered dashboard on one store.

>>> from importsub.web import create_app, Settings  # doctest: +SKIP
"""

from importsub.web.app import create_app
from importsub.web.config import Settings

__all__ = ["Settings", "create_app"]
