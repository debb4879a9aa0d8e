"""Boot the default configuration (no environment: SQLite, in-memory layer, inline tasks)
the way `make run` does, and fetch pages over real HTTP from daphne."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.servers import free_port, process_stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _get(url: str, deadline: float) -> tuple[int, bytes]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_default_configuration_boots_and_serves_pages(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CI")}
    env |= {"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "socialapp.settings.base"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [BIN / "daphne", "-b", "127.0.0.1", "-p", str(port), "socialapp.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        status, body = _get(f"http://127.0.0.1:{port}/", deadline)
        css_status, css = _get(f"http://127.0.0.1:{port}/static/css/app.css", deadline)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert status == 200
    assert b"<title>socialapp</title>" in body
    assert b"Create an account" in body
    assert css_status == 200
    assert css == (ROOT / "socialapp" / "static" / "css" / "app.css").read_bytes()
    assert (tmp_path / "db.sqlite3").stat().st_size > 0


def test_a_server_that_does_not_stop_on_sigterm_is_killed_after_the_grace_period():
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"

    process_stop(stubborn, grace=0.5)

    assert stubborn.returncode == -9  # SIGTERM was ignored, so it was killed
