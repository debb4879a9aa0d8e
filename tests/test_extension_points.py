"""Extension points you can find: each app that others extend declares every list they
fill in one module, <app>/extensions.py (two project modules declare theirs: OTHER_HOMES), and
the comment above each names every module that fills it."""

import ast
from pathlib import Path

from tests.test_dependencies import ROOT, _modules

# Project modules (not apps) that may declare registries besides the apps' extensions.py
# files: the stuck-work sweeps and the media_to_storage transfers.
OTHER_HOMES = {"socialapp.queueing", "socialapp.storage_transfer"}


def _is_home(module: str) -> bool:
    return module.endswith(".extensions") or module in OTHER_HOMES


def _registries(path: Path) -> dict[str, int]:
    """A module's registries, name -> line: public module-level names bound to an empty
    list or dict that other modules fill."""
    found = {}
    for node in ast.parse(path.read_text(), str(path)).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        empty = value is not None and ast.unparse(value) in ("[]", "{}")
        if isinstance(target, ast.Name) and not target.id.startswith("_") and empty:
            found[target.id] = node.lineno
    return found


def _comment_above(path: Path, line: int) -> str:
    """The comment lines of the paragraph that ends at line `line` (1-based), joined: the
    comment above a registry and its type alias."""
    lines = path.read_text().splitlines()[: line - 1]
    paragraph: list[str] = []
    while lines and lines[-1].strip():
        paragraph.insert(0, lines.pop())
    return " ".join(text for text in paragraph if text.startswith("#"))


def _registrations(path: Path) -> set[tuple[str, str]]:
    """(declaring module, registry) for each registry `path` fills (append / extend /
    insert, or an item assignment), reached by name or through the module's alias."""
    tree = ast.parse(path.read_text(), str(path))
    names: dict[str, tuple[str, str]] = {}  # local name -> (module, registry)
    aliases: dict[str, str] = {}  # local name -> declaring module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                local, dotted = alias.asname or alias.name, f"{node.module}.{alias.name}"
                if dotted in _modules() and _is_home(dotted):
                    aliases[local] = dotted
                elif node.module in _modules() and _is_home(node.module):
                    names[local] = (node.module, alias.name)

    def registry(ref: ast.expr) -> tuple[str, str] | None:
        if isinstance(ref, ast.Name):
            return names.get(ref.id)
        if isinstance(ref, ast.Attribute) and isinstance(ref.value, ast.Name) and ref.value.id in aliases:
            return aliases[ref.value.id], ref.attr
        return None

    filled = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in {"append", "extend", "insert"} and (found := registry(node.func.value)):
                filled.add(found)
        elif isinstance(node, ast.Assign):
            filled |= {
                found
                for target in node.targets
                if isinstance(target, ast.Subscript) and (found := registry(target.value))
            }
    return filled


def test_registries_are_declared_only_in_the_extension_modules():
    outside = [
        f"{path.relative_to(ROOT)}:{line} declares {name}"
        for module, path in sorted(_modules().items())
        if not _is_home(module) and not path.is_relative_to(ROOT / "tests")
        for name, line in _registries(path).items()
    ]

    assert outside == []


def test_each_extension_point_names_every_module_that_fills_it():
    listeners: dict[tuple[str, str], set[str]] = {}
    for path in _modules().values():
        for point in _registrations(path):
            listeners.setdefault(point, set()).add(str(path.relative_to(ROOT)))
    unnamed = []
    for (module, name), paths in sorted(listeners.items()):
        declared = _modules()[module]
        line = _registries(declared).get(name)
        assert line is not None, f"{sorted(paths)} fill {module}.{name}, which is not a registry there"
        comment = _comment_above(declared, line)
        unnamed += [f"{module}.{name}: {path}" for path in sorted(paths) if path not in comment]

    assert listeners, "no module fills an extension point: the walk is broken"
    assert unnamed == []


def test_a_registration_through_an_alias_or_a_name_is_found(tmp_path):
    source = tmp_path / "apps.py"
    source.write_text(
        "from socialapp.chat import extensions as chat\n"
        "from socialapp.queueing import stuck_sweeps\n"
        "chat.language_detectors.append(len)\n"
        "stuck_sweeps['x'] = len\n"
    )

    assert _registrations(source) == {
        ("socialapp.chat.extensions", "language_detectors"),
        ("socialapp.queueing", "stuck_sweeps"),
    }
