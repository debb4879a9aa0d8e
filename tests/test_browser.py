"""The browser-test fixtures themselves (tests/browser.py)."""

import asyncio
from importlib.metadata import version

import pytest
from asgiref.sync import async_to_sync

from tests.browser import wait_until
from tests.factories import UserFactory

pytestmark = pytest.mark.services


def test_the_playwright_internals_the_fixtures_patch_are_the_version_they_were_checked_against():
    # tests/browser.py wraps SyncBase._sync, DisposableStub._sync and EventInfo.value: after an
    # upgrade, read them again and move this pin.
    assert version("playwright") == "1.63.0"


def test_between_browser_calls_no_event_loop_runs_so_django_code_works_there(desktop):
    page = desktop.context().new_page()
    page.set_content("<p>hi</p>")

    assert asyncio.events._get_running_loop() is None
    assert asyncio.run(asyncio.sleep(0, result="run")) == "run"
    assert async_to_sync(asyncio.sleep)(0, result="to_sync") == "to_sync"
    assert page.inner_text("p") == "hi"  # and the browser still answers


def test_a_signed_in_page_is_screenshot_and_checked(app_server, browsing):
    alice = UserFactory(username="alice")

    page = browsing.open(app_server.url("/"), user=alice)
    shot = browsing.check(page)

    assert wait_until(page, "() => document.querySelector('header').textContent.includes('Log out')")
    assert shot.name == f"test_a_signed_in_page_is_screenshot_and_checked-{browsing.size}.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
