"""A headless Chromium driven over the DevTools protocol, for the few tests that must run
the page's own JavaScript. The protocol is JSON over a WebSocket, and `websockets` is
already here, so no WebDriver or browser download is needed: only Debian's chromium."""

import asyncio
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets

from tests.conftest import unavailable


def require_chromium() -> str:
    """The chromium binary. With CI set a missing one fails the test; elsewhere it skips."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        unavailable("Chromium is not installed: apt-get install chromium")
    return path


class Page:
    def __init__(self, socket: websockets.ClientConnection) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events in between are dropped)."""
        command_id = next(self._ids)
        await self._socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            reply = json.loads(await asyncio.wait_for(self._socket.recv(), 30))
            if reply.get("id") == command_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 10) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"Timed out waiting for {expression}")


@asynccontextmanager
async def chromium_page(binary: str, port: int) -> AsyncIterator[Page]:
    """A blank page in a fresh headless Chromium with its own profile."""
    # Chromium's helpers may still be writing the profile as they exit.
    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",  # tests run as root in a container
                "--disable-gpu",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its renderer and helper processes go with it
        )
        try:
            target = await asyncio.to_thread(_first_page, port)
            async with websockets.connect(target, max_size=None) as socket:
                yield Page(socket)
        finally:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.wait(timeout=30)


def _first_page(port: int, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as response:
                pages = [t for t in json.load(response) if t["type"] == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"Chromium's DevTools did not answer on port {port}")
