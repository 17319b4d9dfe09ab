"""The web package's layout as contracts: no import cycles, routers that never import each other.

``importsub.web`` is layered: ``api/`` (JSON routers) and ``pages/`` (HTML
pages) on top, both on ``deps`` and ``services/`` (what they share), on the
base modules (config, i18n, security, templating, confidentiality).  The
import graph is read from the source (every ``import``, at module level or
inside a function), so an import hidden in a function cannot hide a cycle.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import importsub.web

PACKAGE = "importsub.web"


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    names: tuple[str, ...]  # for "from X import a, b"
    line: int
    in_function: bool


def _modules() -> dict[str, Path]:
    """Every module of importsub.web with its file (packages by their __init__.py)."""
    out = {PACKAGE: Path(importsub.web.__file__)}
    for info in pkgutil.walk_packages(importsub.web.__path__, prefix=PACKAGE + "."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None, info.name
        assert spec.origin is not None, info.name
        out[info.name] = Path(spec.origin)
    return out


def _imports(module: str, path: Path, known: Iterable[str]) -> list[Import]:
    """The imports of ``module`` that land in importsub.web (a ``from pkg import sub`` lands in the submodule)."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name in known:
                        found.append(Import(module, alias.name, (), child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = tuple(a.name for a in child.names)
                subs = [f"{child.module}.{n}" for n in names if f"{child.module}.{n}" in known]
                if subs:
                    found.extend(Import(module, s, (), child.lineno, in_function) for s in subs)
                    names = tuple(n for n in names if f"{child.module}.{n}" not in known)
                if names and child.module in known:
                    found.append(Import(module, child.module, names, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of a directed graph; a component of two or more nodes,
    or of one node with an edge to itself, is an import cycle (returned: those only)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[set[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                cycles.append(component)

    for v in list(graph):
        if v not in index:
            connect(v)
    return cycles


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    modules = _modules()
    return [imp for name, path in modules.items() for imp in _imports(name, path, modules)]


def _area(module: str) -> str:
    """api, pages, services, or base (everything else in importsub.web)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[2] in ("api", "pages", "services") else "base"


def _route_modules() -> set[str]:
    """Modules that define a router (``router = APIRouter(...)`` at module level)."""
    out = set()
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "router" for t in node.targets):
                out.add(name)
    return out


def test_cycle_finder_on_hand_made_graphs() -> None:
    """The checker itself: a → b → c → a is one cycle; d → a is not in it; e imports itself; f, g form none."""
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e"], "f": ["g"], "g": []}
    assert sorted(sorted(c) for c in strongly_connected(graph)) == [["a", "b", "c"], ["e"]]
    assert strongly_connected({"x": ["y"], "y": []}) == []


def test_the_import_graph_is_read_from_the_source(imports: list[Import]) -> None:
    """The graph sees what the app factory imports, so an empty graph cannot pass the checks below."""
    edges = {(i.source, i.target) for i in imports}
    assert ("importsub.web.app", "importsub.web.services.catalogue") in edges
    assert ("importsub.web.pages.dashboard", "importsub.web.deps") in edges
    assert len(_route_modules()) == 16  # 7 API routers, 9 page modules (scenarios, maps, users and reports: issue 13)


def test_no_import_cycle_inside_importsub_web(imports: list[Import]) -> None:
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.source, set()).add(imp.target)
    assert strongly_connected(graph) == []


def test_no_function_level_import_inside_importsub_web(imports: list[Import]) -> None:
    """Imports of the web package's own modules sit at module level, where a cycle shows."""
    hidden = [f"{i.source}:{i.line} imports {i.target}" for i in imports if i.in_function]
    assert hidden == []


def test_routers_never_import_each_other(imports: list[Import]) -> None:
    """No router module imports another; pages and the API share code only through services (and deps)."""
    routes = _route_modules()
    crossing = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if i.source in routes and (i.target in routes or {_area(i.source), _area(i.target)} == {"api", "pages"})
    ]
    assert crossing == []


def test_services_and_base_modules_import_no_router(imports: list[Import]) -> None:
    """Layers point down: services and the base modules never import api/ or pages/ (only the app factory does)."""
    up = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if _area(i.source) in ("services", "base")
        and i.source not in (PACKAGE, f"{PACKAGE}.app")
        and _area(i.target) in ("api", "pages")
    ]
    assert up == []
    base_up = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in imports
        if _area(i.source) == "base"
        and i.source not in (PACKAGE, f"{PACKAGE}.app", f"{PACKAGE}.deps")
        and _area(i.target) == "services"
    ]
    assert base_up == []


def test_no_private_name_is_imported_across_modules(imports: list[Import]) -> None:
    private = [
        f"{i.source}:{i.line} imports {n} from {i.target}" for i in imports for n in i.names if n.startswith("_")
    ]
    assert private == []


def test_no_module_global_registry() -> None:
    """The analysis registry is the app's (``app.state.analyses``), not a module global filled at import."""
    for name in _modules():
        module = importlib.import_module(name)
        for attr in ("REGISTRY", "FANOUT", "register", "discover", "configure_fanout"):
            assert not hasattr(module, attr), f"{name}.{attr}"


def test_two_apps_keep_their_own_registries(tmp_path: Path) -> None:
    from importsub.web import Settings, create_app

    first = create_app(Settings(db=str(tmp_path / "a.sqlite"), worker=False, dask_workers=0))
    second = create_app(Settings(db=str(tmp_path / "b.sqlite"), worker=False, dask_workers=3))
    assert first.state.analyses is not second.state.analyses
    assert list(first.state.analyses) == list(second.state.analyses)
    assert (first.state.analyses.fanout.workers, second.state.analyses.fanout.workers) == (0, 3)
    assert first.state.runner.analyses is first.state.analyses
    first.state.store.engine.dispose()
    second.state.store.engine.dispose()


ANONYMOUS_PAGES = {("GET", "/login"), ("POST", "/login"), ("POST", "/language")}


def test_a_page_takes_one_or_two_dependencies() -> None:
    """Signed-in pages take the page context (and at most one more: the admin check, the runner);
    only the sign-in and language forms, open to anonymous callers, take their parts one by one."""
    from fastapi.routing import APIRoute

    from importsub.web.deps import get_dataset_page, get_page
    from importsub.web.pages import ROUTERS

    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 25
    for route in routes:
        calls = [d.call for d in route.dependant.dependencies if d.call is not None]
        calls = [c for c in calls if getattr(c, "__name__", "") != "check_csrf"]  # the router's guard
        for method in route.methods:
            if (method, route.path) in ANONYMOUS_PAGES:
                assert get_page not in calls, route.path
                continue
            assert len(calls) <= 2, (route.path, calls)
            assert get_page in calls or get_dataset_page in calls, route.path
