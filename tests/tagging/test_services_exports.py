"""tagging.services names each export three times (TYPE_CHECKING imports for mypy, the
lazy-import map, __all__ for ruff and `import *`): the three must say the same."""

import ast
import importlib
from pathlib import Path

from tagging import services


def test_the_three_lists_of_exports_agree_and_each_name_resolves_from_its_module():
    tree = ast.parse(Path(services.__file__).read_text())
    checked = next(node for node in tree.body if isinstance(node, ast.If))  # if TYPE_CHECKING:
    typed = {
        alias.name: (node.level, node.module)
        for node in ast.walk(checked)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }

    assert sorted(services.__all__) == sorted(services._MODULES) == sorted(typed)
    for name, module in services._MODULES.items():
        level, typed_module = typed[name]
        assert module == "." * level + (typed_module or ""), name
        assert getattr(importlib.import_module(module, "tagging.services"), name) is getattr(services, name)
