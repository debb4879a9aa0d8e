"""Chat fan-out under load: N authenticated WebSocket clients in pairs, through daphne
with channels_redis and PostgreSQL, each sending for a fixed time on loopback.

Reports sockets, messages sent, delivered and lost (sent but never received by the
partner), and fan-out latency (send -> partner receives) p50/p99 in ms."""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE = "socialapp_bench"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _database() -> str:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"postgres://postgres@127.0.0.1:5432/{DATABASE}"


async def _frames(ws: Any, me: str, log: dict[str, Any]) -> None:
    """Record when each message of the partner arrives."""
    async for raw in ws:
        frame = json.loads(raw)
        if frame.get("type") == "message" and frame["text"] != me:
            sent = log["sent"].get(frame["client_id"])
            if sent is not None and frame["client_id"] not in log["received"]:
                log["received"][frame["client_id"]] = (time.perf_counter() - sent) * 1000
        elif frame.get("type") == "error":
            log["errors"] += 1


async def _send(ws: Any, me: str, seconds: float, interval: float, log: dict[str, Any]) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        client_id = uuid.uuid4().hex
        log["sent"][client_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "message", "text": me, "client_id": client_id}))
        await asyncio.sleep(interval)


async def _client(url: str, key: str, me: str, seconds: float, interval: float, log: dict[str, Any]) -> None:
    async with log["handshakes"]:  # open sockets a few dozen at a time, as real users would
        ws = await websockets.connect(
            url, additional_headers={"Authorization": f"Token {key}"}, max_queue=None, open_timeout=60
        )
    async with ws:
        log["connected"] += 1
        await log["ready"].wait()
        receiver = asyncio.create_task(_frames(ws, me, log))
        try:
            await _send(ws, me, seconds, interval, log)
            await asyncio.sleep(log["drain"])
        except websockets.ConnectionClosed:
            log["closed"] += 1  # the server dropped this socket: what it sent later is lost
        receiver.cancel()


async def _run(pairs: list[dict[str, Any]], port: int, seconds: float, interval: float) -> dict[str, Any]:
    log: dict[str, Any] = {
        "sent": {},
        "received": {},
        "errors": 0,
        "connected": 0,
        "closed": 0,
        "ready": asyncio.Event(),
        "handshakes": asyncio.Semaphore(25),
        "drain": 5.0,
    }
    tasks = []
    for n, pair in enumerate(pairs):
        url = f"ws://127.0.0.1:{port}/ws/chat/{pair['conversation']}/"
        tasks.append(_client(url, pair["a"], f"a{n}", seconds, interval, log))
        tasks.append(_client(url, pair["b"], f"b{n}", seconds, interval, log))
    runner = asyncio.gather(*tasks)
    deadline = time.monotonic() + 120
    while log["connected"] < len(tasks) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    log["ready"].set()
    await runner
    latencies = sorted(log["received"].values())
    quantiles = (
        statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    )
    return {
        "sockets": log["connected"],
        "messages_sent": len(log["sent"]),
        "messages_delivered": len(latencies),
        "messages_lost": len(log["sent"]) - len(latencies),
        "error_frames": log["errors"],
        "sockets_dropped_by_server": log["closed"],
        "fanout_ms_p50": round(quantiles[49], 2),
        "fanout_ms_p99": round(quantiles[98], 2),
        "seconds_sending": seconds,
        "interval_s": interval,
    }


def chat_bench(clients: int = 500, seconds: float = 10.0, interval: float = 2.0) -> dict[str, Any]:
    """Run the load; needs PostgreSQL and Redis on 127.0.0.1 (skipped, and said so, without)."""
    if not (_reachable(5432) and _reachable(6379)):
        return {"skipped": "needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)"}
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": _database(),
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "VAR_DIR": tempfile.mkdtemp(prefix="socialapp-chat-bench-"),
        "CHAT_RATE_MESSAGES": "1000",
        "DEBUG": "false",
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)  # type: ignore[call-overload]
    pairs = json.loads(subprocess.run([sys.executable, "bench/chat_setup.py", str(clients)], **run).stdout)  # type: ignore[call-overload]
    port = _port()
    server_log = Path(env["VAR_DIR"]) / "daphne.log"
    server = subprocess.Popen(
        [BIN / "daphne", "-b", "127.0.0.1", "-p", str(port), "socialapp.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=server_log.open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while not _reachable(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        return asyncio.run(_run(pairs, port, seconds, interval))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    print(json.dumps(chat_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 500), indent=2))
