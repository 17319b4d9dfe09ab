"""The maths pages of the documentation site: one page per analysis kind the CLI and the service offer,
each with the same sections, and every piece of code it cites still there."""

from __future__ import annotations

import csv
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

ROOT = Path(__file__).resolve().parents[1]
MATHS = ROOT / "docs" / "maths"

# analysis kinds whose page is named otherwise (several kinds share one page)
PAGE_OF_KIND = {"run": "shocks", "shock": "shocks", "project": "projects", "impact": "projects"}

RESULT_TABLES = "src/importsub/model/data/result_tables.csv"

SECTIONS = ("What it answers", "Inputs", "Formulas", "Outputs", "Worked example", "Limits", "In the code")


def maths_nav() -> list[str]:
    """Files listed under "Maths" in the nav of mkdocs.yml (relative to docs/)."""
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    (maths,) = [entry["Maths"] for entry in nav if isinstance(entry, dict) and "Maths" in entry]
    return [file for entry in maths for file in entry.values()]


def cli_kinds() -> list[str]:
    """Commands of ``importsub analyze`` and ``importsub shock``, as their ``--help`` lists them."""
    from importsub.cli.analyze import analyze
    from importsub.cli.shock import shock

    return [name for group in (analyze, shock) for name in typer.main.get_group(group).commands]


def service_kinds() -> list[str]:
    """Analysis kinds of the registry the web service and its job worker run."""
    from importsub.web.services.catalogue import build_analyses

    return list(build_analyses())


def analysis_pages() -> list[Path]:
    return [ROOT / "docs" / file for file in maths_nav() if file != "maths/index.md"]


def test_cli_offers_the_kinds_we_expect() -> None:
    # guards the test below against an empty list (e.g. a renamed Typer group)
    assert {"localisation", "concentration", "balance", "matching"} <= set(cli_kinds())
    assert {"run", "sweep", "tts", "montecarlo"} <= set(cli_kinds())
    assert {"portfolio", "impact", "programme"} <= set(service_kinds())


@pytest.mark.parametrize("kind", sorted(set(cli_kinds()) | set(service_kinds())))
def test_every_analysis_kind_has_a_maths_page_in_the_nav(kind: str) -> None:
    page = f"maths/{PAGE_OF_KIND.get(kind, kind)}.md"
    assert page in maths_nav(), f"analysis kind {kind!r}: no {page} under Maths in mkdocs.yml"
    assert (ROOT / "docs" / page).is_file()


def test_every_maths_page_is_in_the_nav() -> None:
    on_disk = {f"maths/{p.name}" for p in MATHS.glob("*.md")}
    assert on_disk == set(maths_nav())
    assert "maths/index.md" in maths_nav()


@pytest.mark.parametrize("page", analysis_pages(), ids=lambda p: p.stem)
def test_maths_page_has_every_section(page: Path) -> None:
    headings = re.findall(r"^## (.+?)\s*$", page.read_text(encoding="utf-8"), flags=re.M)
    assert [h for h in headings if h in SECTIONS] == list(SECTIONS), (page.name, headings)


def resolve(dotted: str) -> Any:
    """The object named ``importsub.module.attribute…`` (the longest importable module, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("page", sorted(MATHS.glob("*.md")), ids=lambda p: p.stem)
def test_cited_code_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    codes = re.findall(r"`([^`\n]+)`", text)
    paths = [c for c in codes if re.fullmatch(r"(src|tests)/[\w/]+\.(py|csv|md)", c)]
    names = [c for c in codes if re.fullmatch(r"importsub(\.\w+)+", c)]
    tests = [c for c in codes if re.fullmatch(r"tests/[\w/]+\.py::\w+", c)]
    assert paths or names, f"{page.name} cites no code"
    for path in paths:
        assert (ROOT / path).is_file(), (page.name, path)
    for name in names:
        resolve(name)  # raises when a cited module, function or constant is gone
    for ref in tests:
        file, func = ref.split("::")
        assert re.search(rf"^def {func}\(", (ROOT / file).read_text(encoding="utf-8"), flags=re.M), (page.name, ref)


def test_maths_pages_load_nothing_from_the_internet() -> None:
    for page in MATHS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)\b", text), page.name  # formulas are Unicode text, no MathJax
        assert "$$" not in text, page.name


def test_home_page_links_the_maths() -> None:
    assert "(maths/index.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")


def tts_columns() -> set[str]:
    """Columns of the ``importsub shock tts`` tables (a CLI-only kind: not in the result declarations),
    computed on the hand-worked flexible plants."""
    from importsub.analysis.ttr_tts import tts, tts_scenario, tts_sites
    from importsub.compile import compile
    from importsub.compile.shock import compile_shock
    from test_disruption import flexible_plants

    ds = flexible_plants()
    net = compile(ds)
    results = (tts(net, [0]), tts_sites(net, ["P1"]), tts_scenario(net, compile_shock(ds, net, "p1-4w")))
    return {c for r in results for df in r.tables.values() for c in df.columns}


def test_output_columns_with_units_exist() -> None:
    with (ROOT / RESULT_TABLES).open(encoding="utf-8") as declarations:
        declared = {row["column"] for row in csv.DictReader(declarations)}
    produced = declared | tts_columns()
    for page in analysis_pages():
        text = page.read_text(encoding="utf-8")
        outputs = re.search(r"^## Outputs\n(.*?)^## ", text, flags=re.S | re.M)
        assert outputs, page.name
        # a column name with its unit, e.g. `import content [%]` (formulas such as `B[i, j]` have no space)
        cited = re.findall(r"`([^`\n]+ \[[^\]`]+\])`", outputs.group(1))
        unknown = sorted(set(cited) - produced)
        assert not unknown, (page.name, unknown)
