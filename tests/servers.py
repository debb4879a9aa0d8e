"""Real ASGI server processes for tests that go over the network."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = Path(sys.executable).parent / "daphne"


def manage(var_dir: Path, *arguments: str) -> "subprocess.CompletedProcess[str]":
    """manage.py as `make run` runs it: SQLite under `var_dir`, tasks inline (no
    DATABASE_URL, no REDIS_URL)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "socialapp.settings.base"}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"server on {port} did not start")


def process_stop(process: "subprocess.Popen[bytes]", grace: float = 10) -> None:
    """SIGTERM, then SIGKILL if it is still running after `grace` seconds. daphne waits
    for open WebSockets to close before it exits: a browser page still connected (the
    test's contexts close after its servers) can hold it past any fixed wait."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def daphne_servers(ports: list[int], env: dict[str, str], *, seconds: float = 60) -> Iterator[None]:
    """One daphne per port, serving socialapp with `env`, up until the block ends; each
    must listen within `seconds`."""
    servers = [
        subprocess.Popen(
            [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "socialapp.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_port(port, seconds)
        yield
    finally:
        for server in servers:
            process_stop(server)
