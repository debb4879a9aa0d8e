"""Real ASGI server processes for tests that go over the network."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAPHNE = Path(sys.executable).parent / "daphne"


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
            server.terminate()
            server.wait(timeout=10)
