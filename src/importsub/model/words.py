"""English words and sentences marked for the gettext catalogue (``web/locale/build.py`` extracts every ``N_``
text of the model and the readers).

A leaf module: the schema marks its words here without importing :mod:`importsub.model.messages`, which
reads the schema to name a field (no import cycle).

>>> N_("a whole number")
'a whole number'
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark an English text for extraction into the catalogues (translated when rendered)."""
    return text
