"""docs/architecture.md maps every URL, WebSocket route, Celery task and management command
to the service or selector it calls, and lists every extension point: these tests fail
when one is missing there, when a row names one that is gone, or when a row names a
service that does not exist, so the document cannot drift from the code."""

import importlib
import re

from django.core.management import get_commands
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from socialapp.celery import app as celery_app
from socialapp.routing import websocket_urlpatterns
from tests.test_dependencies import ROOT, _modules
from tests.test_extension_points import _is_home, _registries

DOC = ROOT / "docs" / "architecture.md"
PROJECT_APPS = ("socialapp", "tagging", "translation")


def _rows(heading: str) -> list[list[str]]:
    """The cells of the table rows under `heading`, up to the next heading."""
    section = DOC.read_text().split(f"\n{heading}\n", 1)[1]
    section = re.split(r"\n#{1,6} ", section, maxsplit=1)[0]
    return [
        [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        for line in section.splitlines()
        if line.startswith("| `")
    ]


def _first_cells(heading: str) -> set[str]:
    return {row[0].strip("`") for row in _rows(heading)}


def _url_names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":  # Django's admin site
                names |= _url_names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


def _difference(documented: set[str], present: set[str]) -> dict[str, list[str]]:
    return {"missing from the doc": sorted(present - documented), "gone": sorted(documented - present)}


NOTHING = {"missing from the doc": [], "gone": []}


def test_every_url_name_is_in_the_table():
    assert _difference(_first_cells("### URLs"), _url_names(get_resolver().url_patterns)) == NOTHING


def test_every_websocket_route_is_in_the_table():
    routes = {str(route.pattern) for route in websocket_urlpatterns} - {""}  # "": any other path

    assert _difference(_first_cells("### WebSocket routes"), routes) == NOTHING


def test_every_celery_task_is_in_the_table():
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker does
    tasks = {name for name in celery_app.tasks if not name.startswith("celery.")}

    assert _difference(_first_cells("### Celery tasks"), tasks) == NOTHING


def test_every_management_command_of_the_project_is_in_the_table():
    commands = {name for name, app in get_commands().items() if app.split(".")[0] in PROJECT_APPS}

    assert _difference(_first_cells("### Management commands"), commands) == NOTHING


def test_every_extension_point_is_in_the_table():
    points = {
        f"{module.removeprefix('socialapp.') if module.count('.') > 1 else module}.{name}"
        for module, path in _modules().items()
        if _is_home(module)
        for name in _registries(path)
    }

    assert _difference(_first_cells("## Extension points"), points) == NOTHING


def _resolves(dotted: str) -> bool:
    for name in (dotted, f"socialapp.{dotted}"):
        try:
            importlib.import_module(name)
            return True
        except ImportError:
            pass
        try:
            import_string(name)
            return True
        except ImportError:
            pass
    return False


def test_every_service_the_tables_name_exists():
    named = {
        dotted
        for heading in ("### URLs", "### WebSocket routes", "### Celery tasks", "### Management commands")
        for row in _rows(heading)
        for dotted in re.findall(r"`([A-Za-z_][\w.]*\.[A-Za-z_]\w*)`", row[-1])
    }

    assert len(named) > 100
    assert sorted(name for name in named if not _resolves(name)) == []
