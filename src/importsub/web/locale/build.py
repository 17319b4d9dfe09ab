"""Refresh the catalogues: extract messages, merge them into the ``.po`` files, compile ``.mo``.

The ``.po`` files (``<lang>/LC_MESSAGES/messages.po``) are the translation source: translators
edit them.  Run from the repository root after changing a message::

    python src/importsub/web/locale/build.py

New messages are added to each ``.po`` (English: the source text; Russian: empty), messages no
longer used are dropped, and the ``.mo`` files are compiled.  Fails (exit 1, ``.mo`` left as it
was) while a message has no Russian translation, so no page is left half English; fill the
empty ``msgstr`` in ``ru/LC_MESSAGES/messages.po`` and run again.  The test suite checks the
same (``tests/web/test_catalogues.py``).
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
WEB = HERE.parent
# sentences the analyses and validation write (message ids with parameters, model/messages.py) and the words
# their parameters name (type words, format hints: marked N_ where the schema or a reader declares them)
MARKED = (WEB.parent / "model", WEB.parent / "io")
LANGUAGES = ("en", "ru")
_ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{3,}\b")
_PLACEHOLDER = re.compile(r"%\(\w+\)s")  # a parameter's name is no English to translate
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def po_path(lang: str) -> Path:
    return HERE / lang / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every message marked in the web layer's code and templates (as ``pybabel extract`` with ``babel.cfg``)
    and every text marked ``N_`` in the model and the readers (the messages of ``model/messages.py`` and the
    words they name)."""
    with (WEB / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    template = Catalog(project="importsub")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for folder in MARKED:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), [("**.py", "python")], keywords={"N_": None}, strip_comment_tags=True
        ):
            template.add(
                message, None, [(f"{folder.name}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return template


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def merged(lang: str, template: Catalog) -> Catalog:
    """The ``.po`` of ``lang`` updated to ``template``: new messages added, unused ones dropped."""
    catalog = read(lang)
    created = catalog.creation_date  # a refresh that changes no message changes no byte
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date = created
    catalog.obsolete.clear()
    for message in catalog:
        if not message.id:
            continue
        if lang == "en":  # the source language: a message is its own translation
            message.string = (
                message.id
                if not message.pluralizable
                else tuple(message.id[i] if i < 2 else message.id[1] for i in range(catalog.num_plurals))
            )
        first = message.id if isinstance(message.id, str) else message.id[0]
        if "%(" in first:
            message.flags.add("python-format")
        message.flags.discard("fuzzy")
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    """Message ids of ``catalog`` without a (complete) translation."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        ids = m.id if isinstance(m.id, tuple | list) else (m.id,)
        # a translation that is the English text itself (with an English word in it) is none
        copied = str(catalog.locale) != "en" and any(
            s == i and _ENGLISH_WORD.search(_PLACEHOLDER.sub("", i)) for s, i in zip(strings, ids, strict=False)
        )
        if not all(strings) or copied:
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def main() -> int:
    template = extract()
    missing: list[str] = []
    catalogs = {lang: merged(lang, template) for lang in LANGUAGES}
    for lang, catalog in catalogs.items():
        buf = io.BytesIO()
        write_po(buf, catalog, width=120, omit_header=False, no_location=True, sort_output=True)
        po_path(lang).write_bytes(buf.getvalue())
        missing += [f"{lang}: {m}" for m in untranslated(catalog)]
    if missing:
        print("no translation for:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    for lang, catalog in catalogs.items():
        po_path(lang).with_suffix(".mo").write_bytes(compiled(catalog))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
