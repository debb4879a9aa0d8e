"""Browser tests with Playwright (pytest-playwright) driving Debian's Chromium.

Loaded as a pytest plugin by tests/conftest.py. A browser journey asks for:

- `app_server`: one daphne serving socialapp on this test's PostgreSQL database for the
  whole session (tasks inline, in-memory channel layer); `app_server.url("/path/")`.
- `browsing` (each test runs twice: desktop 1280 x 800 and phone 390 x 844), or `desktop`
  / `phone` for one size: `browsing.open(url, user=alice)` opens a page signed in as alice;
  `browsing.check(page)` saves var/screenshots/<test>-<size>.png and asserts no horizontal
  overflow and no serious or critical axe-core violation. Every page opened is checked for
  console errors and uncaught exceptions when the test ends.

Plain Django code (factories, services, the ORM) runs in the test body between browser
calls: see _each_call_runs_the_loop_only_while_it_lasts for the one Playwright internal
this relies on.
"""

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright._impl._disposable import DisposableStub
from playwright._impl._sync_base import EventInfo, SyncBase
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from tests.conftest import unavailable
from tests.servers import DAPHNE, free_port, process_stop, wait_for_port
from tests.workers import worker_database_url

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
BLOCKING_IMPACTS = {"serious", "critical"}


def require_chromium() -> str:
    """The chromium binary. With CI set a missing one fails the test; elsewhere it skips."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Chromium is not installed: apt-get install chromium")
    return path


@contextmanager
def _running(loop: asyncio.AbstractEventLoop | None) -> Iterator[None]:
    """`loop` is the main thread's running loop inside the block; the one before, after."""
    before = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(loop)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(before)


def _each_call_runs_the_loop_only_while_it_lasts(patch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API marks its event loop as running in the main thread at the end
    of every call and leaves it so (playwright 1.63: SyncBase._sync and its listeners,
    EventInfo.value, DisposableStub._sync), which breaks whatever runs next in that thread: async_to_sync (a
    service that broadcasts), Django's async-safety check, asyncio.run, async tests. Here
    each call sets the loop for its own duration and puts back what was there before.
    tests/test_browser.py pins the version this was checked against."""

    def wrapped(original: Callable[..., Any], loop_of: Callable[[Any], Any]) -> Callable[..., Any]:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            with _running(loop_of(self)):
                return original(self, *args, **kwargs)

        call.__wrapped__ = original  # type: ignore[attr-defined]
        return call

    # Every sync entry point: calls, and adding or removing an event listener (which
    # sends a subscription from the caller's thread).
    for owner, name in [(SyncBase, n) for n in ("_sync", "on", "once", "remove_listener")] + [
        (DisposableStub, "_sync")
    ]:
        patch.setattr(owner, name, wrapped(getattr(owner, name), lambda self: self._loop))
    value = wrapped(EventInfo.value.fget, lambda self: self._sync_base._loop)  # type: ignore[attr-defined]
    patch.setattr(EventInfo, "value", property(value))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options (--headed, --slowmo) on Debian's Chromium: no
    browser download."""
    return {
        **browser_type_launch_args,
        "executable_path": require_chromium(),
        "args": ["--no-sandbox"],  # tests run as root in a container
    }


@pytest.fixture(scope="session")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    """pytest-playwright's session Playwright, whose loop runs only during its calls."""
    with pytest.MonkeyPatch.context() as patch:
        _each_call_runs_the_loop_only_while_it_lasts(patch)
        with _running(None):
            pw = sync_playwright().start()
            if _pw_api_request_contexts:
                _pw_api_request_contexts.instrument(pw)
        yield pw
        with _running(pw._loop):  # type: ignore[attr-defined]
            pw.stop()


@dataclass
class AppServer:
    base: str

    def url(self, path: str = "/") -> str:
        return f"{self.base}{path}"


@contextmanager
def app_server_running(env: dict[str, str] | None = None) -> Iterator[AppServer]:
    """daphne serving socialapp on the test database (PostgreSQL), with production
    settings and `env` over the defaults below. Its output goes to a log shown on failure."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="socialapp-server-") as var:
        server_env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": "",  # one process: in-memory channel layer, tasks run inline
            "VAR_DIR": var,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the files factories make are served
            "MODELS_DIR": str(settings.MODELS_DIR),
            "SECRET_KEY": settings.SECRET_KEY,  # the server reads the sessions tests make
            "CHAT_TRANSLATION": "false",
            "SIGNUP_RATE": "1000/hour",
            "API_THROTTLE_AUTH": "1000/min",
            "API_THROTTLE_ANON": "1000/min",
            "PYTHONUNBUFFERED": "1",
        }
        server_env |= env or {}
        log_path = Path(var) / "daphne.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "socialapp.asgi:application"],
                cwd=ROOT,
                env=server_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                wait_for_port(port)
                yield AppServer(base=f"http://127.0.0.1:{port}")
            except BaseException:
                print(log_path.read_text(errors="replace")[-5000:])  # shown with the failure
                raise
            finally:
                process_stop(server)


@pytest.fixture(scope="session")
def _app_server_session(django_db_setup: Any) -> Iterator[AppServer]:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        unavailable("Browser tests need PostgreSQL: set DATABASE_URL")
    with app_server_running() as server:
        yield server


@pytest.fixture
def app_server(postgres_url: str, transactional_db: None, _app_server_session: AppServer) -> AppServer:
    """The session's server; the rows a test makes are committed, so the server sees them."""
    return _app_server_session


def session_cookie(user: Any, url: str) -> dict[str, Any]:
    """A Playwright cookie that signs `user` in on `url`'s host."""
    client = Client()
    client.force_login(user)
    host = urlparse(url)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": f"{host.scheme}://{host.netloc}",
    }


@dataclass
class Browsing:
    """Pages at one screen size, each in its own browser context (one person each)."""

    size: str
    test_name: str
    new_context: Any
    errors: list[str] = field(default_factory=list)

    def context(self, user: Any = None, url: str = "", **options: Any) -> BrowserContext:
        """A fresh context (cookies, storage) at this size, signed in as `user` on `url`."""
        phone = self.size == "phone"
        options = {"viewport": SIZES[self.size], "is_mobile": phone, "has_touch": phone} | options
        context: BrowserContext = self.new_context(**options)
        if user is not None:
            context.add_cookies([session_cookie(user, url)])  # type: ignore[list-item]
        return context

    def watch(self, page: Page) -> Page:
        """Record the page's console errors and uncaught exceptions for the end of the test."""

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{page.url}: console: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught: {error}"))
        return page

    def open(self, url: str, user: Any = None, context: BrowserContext | None = None) -> Page:
        """A page on `url`, loaded; signed in as `user` in a new context unless `context`."""
        page = self.watch((context or self.context(user, url)).new_page())
        page.goto(url)
        return page

    def check(self, page: Page, name: str = "") -> Path:
        """Screenshot under var/screenshots/, then: no horizontal overflow, no serious or
        critical axe-core violation. Returns the screenshot's path."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = "-".join(part for part in (self.test_name, name, self.size) if part)
        path = SCREENSHOTS / f"{stem}.png"
        page.screenshot(path=path)
        assert_no_horizontal_overflow(page)
        assert_accessible(page)
        return path


def wait_until(page: Page, predicate: str, seconds: float = 10) -> Any:
    """Poll `predicate`, a JavaScript function source ("() => ..."), until it returns a
    truthy value, and return that. (Page.wait_for_function evaluates its predicate as a
    string inside the page, which the site's Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + seconds
    while True:
        value = page.evaluate(predicate)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url}: timed out after {seconds} s waiting for {predicate}")
        page.wait_for_timeout(50)


def assert_no_horizontal_overflow(page: Page) -> None:
    overflow = page.evaluate(
        """() => {
          const root = document.documentElement;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
            .slice(0, 5).map(el => el.outerHTML.slice(0, 120));
          return {scroll: root.scrollWidth, width: root.clientWidth, wide};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], f"{page.url} scrolls sideways: {overflow}"


def assert_accessible(page: Page) -> None:
    """axe-core (the npm package's axe.min.js, shipped by axe-playwright-python) finds no
    serious or critical violation on the page as it is now."""
    violations = Axe().run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"{page.url}: axe-core found {blocking}"


def _browsing(request: pytest.FixtureRequest, new_context: Any, size: str) -> Iterator[Browsing]:
    browsing = Browsing(size=size, test_name=request.node.originalname, new_context=new_context)
    yield browsing
    assert browsing.errors == [], "\n".join(browsing.errors)


@pytest.fixture(params=list(SIZES))
def browsing(request: pytest.FixtureRequest, new_context: Any) -> Iterator[Browsing]:
    """Pages at desktop size, then (the test runs again) at phone size."""
    yield from _browsing(request, new_context, request.param)


@pytest.fixture
def desktop(request: pytest.FixtureRequest, new_context: Any) -> Iterator[Browsing]:
    yield from _browsing(request, new_context, "desktop")


@pytest.fixture
def phone(request: pytest.FixtureRequest, new_context: Any) -> Iterator[Browsing]:
    yield from _browsing(request, new_context, "phone")
