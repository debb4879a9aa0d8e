"""Dependencies point one way: the social core knows nothing of the models. tagging/ and
translation/ build on it through the extension modules it declares
(socialapp/*/extensions.py and the hook lists), never the other way round."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
