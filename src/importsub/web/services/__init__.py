"""What the API routers and the pages share: analysis kinds and jobs, stored results, datasets, views, files.

No module here imports a router module (:mod:`importsub.web.api`,
:mod:`importsub.web.pages`); routers import from here, never from each other.
"""
