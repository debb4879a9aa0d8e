"""Dependencies point one way: the social core knows nothing of the models. tagging/ and
translation/ build on it through the extension modules it declares
(socialapp/<app>/extensions.py), never the other way round; and no module of the project
imports, at the top or inside a function, a module that imports it back."""

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("socialapp", "tagging", "translation")
CORE = ["accounts", "photos", "hashtags", "shop", "chat", "search", "notifications"]
PLUGINS = ("tagging", "translation")


def _imports(path: Path) -> list[str]:
    """Every module `path` imports, at the top or inside a function."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def test_the_social_core_never_imports_tagging_or_translation():
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for app in CORE
        for path in sorted((ROOT / "socialapp" / app).rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in PLUGINS
    ]

    assert offenders == []


@cache
def _modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the project's packages."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _project_module(name: str) -> str | None:
    """The project module `name` is or lies in (`a.b.func` -> `a.b`), or None."""
    while name and name not in _modules():
        name = name.rpartition(".")[0]
    return name or None


def _imported_modules(module: str) -> set[str]:
    """The project modules `module` imports, relative imports and lazy ones included.
    `from package import name` counts as importing the submodule `name` when there is
    one, else the package."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {_project_module(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{parent}.{base}".rstrip(".")
            found |= {_project_module(f"{base}.{a.name}") or _project_module(base) for a in node.names}
    return found - {None, module}


def _import_graph() -> dict[str, set[str]]:
    return {module: _imported_modules(module) for module in _modules()}


def _cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """One cycle through each group of modules that import each other (Tarjan's strongly
    connected components), as the list of modules along it, first one repeated last."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = {stack.pop()}
            while module not in group:
                group.add(stack.pop())
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    for group in groups:
        yield _path_back(graph, group)


def _path_back(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        module = frontier.pop(0)
        for imported in sorted(graph[module] & group):
            if imported == start:
                return [*paths[module], start]
            if imported not in paths:
                paths[imported] = [*paths[module], imported]
                frontier.append(imported)
    raise AssertionError(f"{group} is not a cycle")


def test_the_import_graph_finds_a_cycle_hidden_in_a_function():
    # given services that import their tasks inside a function, and tasks that import
    # their services at the top (what photos, tagging and translation did)
    graph = {"app.services": {"app.models", "app.tasks"}, "app.tasks": {"app.services"}, "app.models": set()}

    # when the graph is searched
    cycles = list(_cycles(graph))

    # then the pair is the one cycle
    assert cycles == [["app.services", "app.tasks", "app.services"]]


def test_lazy_and_relative_imports_are_edges():
    assert {"socialapp.queueing", "socialapp.photos.services"} <= _imported_modules("socialapp.photos.tasks")
    assert "socialapp.photos.extensions" in _imported_modules("tagging.apps")  # inside ready()


def test_no_module_of_the_project_imports_one_that_imports_it_back():
    cycles = [" -> ".join(cycle) for cycle in _cycles(_import_graph())]

    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_only_the_tagger_touches_its_concept_statuses():
    # Moderation blocks a concept and reads which are blocked through tagging's services
    # and selectors; tagging.models.ConceptStat is tagging's own table.
    offenders = [
        f"{path.relative_to(ROOT)} imports ConceptStat"
        for module, path in sorted(_modules().items())
        if not module.startswith("tagging")
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.ImportFrom) and any(alias.name == "ConceptStat" for alias in node.names)
    ]

    assert offenders == []
