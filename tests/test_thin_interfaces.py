"""Interfaces stay thin: these views and APIs parse input, call a service or selector,
and render. A direct ORM query in one of them is a rule living outside its service (an empty
queryset, `Model.objects.none()`, queries nothing)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INTERFACES = [
    "socialapp/moderation/views.py",
    "socialapp/photos/views.py",
    "tagging/views.py",
    "tagging/apis.py",
]


@pytest.mark.parametrize("module", INTERFACES)
def test_the_interface_reaches_no_model_manager(module):
    tree = ast.parse((ROOT / module).read_text())
    attributes = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
    empty = {id(node.value) for node in attributes if node.attr == "none"}

    queries = [
        f"{module}:{node.lineno}" for node in attributes if node.attr == "objects" and id(node) not in empty
    ]

    assert queries == []
