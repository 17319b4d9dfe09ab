"""The ``.po`` files are the translation source: complete, current with the code, and compiled."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog

from importsub.web import i18n

LOCALE = Path(i18n.__file__).parent / "locale"


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("locale_build", LOCALE / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _build()


@pytest.fixture(scope="module")
def template() -> Catalog:
    return build.extract()


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_message_in_code_and_templates_has_a_russian_translation(template: Catalog) -> None:
    ru = build.read("ru")
    assert len(_ids(template)) > 200
    assert sorted(_ids(template) - _ids(ru)) == []
    assert build.untranslated(ru) == []


def test_the_po_files_are_current(template: Catalog) -> None:
    # refreshing from the code would change nothing: no message missing, none left over
    for lang in build.LANGUAGES:
        assert _ids(build.read(lang)) == _ids(template), lang
        assert build.untranslated(build.merged(lang, template)) == []


def test_the_mo_files_are_compiled_from_the_po_files() -> None:
    for lang in build.LANGUAGES:
        mo = build.po_path(lang).with_suffix(".mo").read_bytes()
        assert mo == build.compiled(build.read(lang)), f"{lang}: run python src/importsub/web/locale/build.py"


def test_an_empty_translation_is_reported() -> None:
    catalog = Catalog(locale="ru")
    catalog.add("Overview", "Обзор")
    catalog.add("New page", "")
    catalog.add(("%(num)s site", "%(num)s sites"), ("%(num)s площадка", "", ""))
    catalog.add("Sign out", "Sign out")  # the English text copied is no translation
    catalog.add("MIP", "MIP")  # a code stays as it is
    assert build.untranslated(catalog) == ["New page", "%(num)s site", "Sign out"]


def test_russian_at_run_time_comes_from_the_po_file() -> None:
    ru = {m.id: m.string for m in build.read("ru") if isinstance(m.id, str) and m.id}
    token = i18n.set_language("ru")
    try:
        for message in ("Overview", "Sign out", "Projects"):
            assert i18n.gettext(message) == ru[message] != message
    finally:
        i18n.reset_language(token)
