"""Chat fan-out under load: N authenticated WebSocket clients in pairs, through daphne
with channels_redis and PostgreSQL, each sending for a fixed time on loopback.

Reports sockets, messages sent, delivered and lost (sent but never received by the
partner), and fan-out latency (send -> partner receives) p50/p99 in ms."""

import argparse
import asyncio
import json
import os
import random
import resource
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
# PostgreSQL is left out: its backends' CPU did not show in /proc/<pid>/stat during the
# run (a standalone loop measures about 1.5 ms a message on its backend).
OTHERS = ("redis-server",)


def _cpu_seconds(names: tuple[str, ...], pids: set[int]) -> dict[str, float]:
    """CPU seconds used so far by the processes in `pids` ("servers") and by every
    process whose command name is in `names`, by name."""
    used: dict[str, float] = dict.fromkeys(("servers", *names), 0.0)
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(stat.parent.name) in pids:
            used["servers"] += seconds
        elif name in names:
            used[name] += seconds
    return used


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _redis(url: str) -> str:
    """Empty the bench's own Redis database: groups left by an earlier run's server
    would still get (and hold up) every group_send."""
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


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
    """One message every `interval` s for `seconds`, starting at a random point of the
    first interval: people in different conversations do not type in step."""
    start = time.monotonic() + log["phases"].uniform(0, interval)
    for n in range(round(seconds / interval)):
        await asyncio.sleep(max(0.0, start + n * interval - time.monotonic()))
        client_id = uuid.uuid4().hex
        log["sent"][client_id] = time.perf_counter()
        await ws.send(json.dumps({"type": "message", "text": me, "client_id": client_id}))


async def _drain(log: dict[str, Any], seconds: float) -> None:
    """Once every client has sent its last message, wait until all have arrived, or
    `seconds` (a socket that closed earlier would lose what its partner still sends)."""
    while log["sending"]:
        await asyncio.sleep(0.1)
    deadline = time.monotonic() + seconds
    while len(log["received"]) < len(log["sent"]) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


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
            try:
                await _send(ws, me, seconds, interval, log)
            finally:
                log["sending"] -= 1
            await _drain(log, log["drain"])
        except websockets.ConnectionClosed:
            log["closed"] += 1  # the server dropped this socket: what it sent later is lost
        receiver.cancel()


async def _run(
    pairs: list[dict[str, Any]], ports: list[int], seconds: float, interval: float, pids: set[int]
) -> dict[str, Any]:
    log: dict[str, Any] = {
        "sent": {},
        "received": {},
        "errors": 0,
        "connected": 0,
        "sending": 2 * len(pairs),
        "closed": 0,
        "ready": asyncio.Event(),
        "handshakes": asyncio.Semaphore(25),
        "drain": 60.0,  # then channels_redis would drop it anyway (its expiry)
        "phases": random.Random(0),  # noqa: S311 - a load pattern, repeatable from run to run
    }
    tasks = []
    for n, pair in enumerate(pairs):
        # With two servers the two people of a pair sit on different ones, so every
        # message crosses processes through Redis.
        for k, (who, key) in enumerate((("a", pair["a"]), ("b", pair["b"]))):
            url = f"ws://127.0.0.1:{ports[(2 * n + k) % len(ports)]}/ws/chat/{pair['conversation']}/"
            tasks.append(_client(url, key, f"{who}{n}", seconds, interval, log))
    runner = asyncio.gather(*tasks)
    deadline = time.monotonic() + 120
    while log["connected"] < len(tasks) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    log["ready"].set()
    cpu, others = time.process_time(), _cpu_seconds(OTHERS, pids)
    await runner
    others = {k: v - others[k] for k, v in _cpu_seconds(OTHERS, pids).items()}
    latencies = sorted(log["received"].values())
    quantiles = (
        statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    )
    return {
        "sockets": log["connected"],
        "servers": len(ports),
        "messages_sent": len(log["sent"]),
        "messages_delivered": len(latencies),
        "messages_lost": len(log["sent"]) - len(latencies),
        "error_frames": log["errors"],
        "sockets_dropped_by_server": log["closed"],
        "fanout_ms_p50": round(quantiles[49], 2),
        "fanout_ms_p99": round(quantiles[98], 2),
        "seconds_sending": seconds,
        "interval_s": interval,
        "send_rate_msgs_per_s": round(log["connected"] / interval, 1),
        "drain_s_max": log["drain"],
        "client_cpu_s": round(time.process_time() - cpu, 2),
        # While sending and draining, per message sent: where the 2 cores went.
        "cpu_ms_per_message": {
            name: round(1000 * used / max(1, len(log["sent"])), 2)
            for name, used in (("client", time.process_time() - cpu), *others.items())
        },
    }


def _serve(count: int, env: dict[str, str]) -> list[tuple[subprocess.Popen[bytes], int]]:
    """`count` daphne processes, each on its own port (a balancer's job in production)."""
    servers = []
    for n in range(count):
        port = _port()
        log = (Path(env["VAR_DIR"]) / f"daphne{n}.log").open("w")
        command = [BIN / "daphne", "-b", "127.0.0.1", "-p", str(port), "socialapp.asgi:application"]
        servers.append(
            (subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log), port)
        )
    deadline = time.monotonic() + 60
    while not all(_reachable(port) for _, port in servers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return servers


def chat_bench(
    clients: int = 500, seconds: float = 10.0, interval: float = 5.0, servers: int = 2
) -> dict[str, Any]:
    """Run the load; needs PostgreSQL and Redis on 127.0.0.1 (skipped, and said so, without)."""
    if not (_reachable(5432) and _reachable(6379)):
        return {"skipped": "needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)"}
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": _database(),
        "REDIS_URL": _redis("redis://127.0.0.1:6379/3"),
        "VAR_DIR": tempfile.mkdtemp(prefix="socialapp-chat-bench-"),
        "CHAT_RATE_MESSAGES": "1000",
        "DEBUG": "false",
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)  # type: ignore[call-overload]
    pairs = json.loads(subprocess.run([sys.executable, "bench/chat_setup.py", str(clients)], **run).stdout)  # type: ignore[call-overload]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = _serve(servers, env)
    try:
        ports, pids = [port for _, port in started], {server.pid for server, _ in started}
        results = asyncio.run(_run(pairs, ports, seconds, interval, pids))
    finally:
        for server, _ in started:
            server.terminate()
        for server, _ in started:
            server.wait(timeout=30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # From start to exit, so it includes startup and the sockets' handshakes.
    results["servers_cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("clients", type=int, nargs="?", default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between one client's messages")
    parser.add_argument("--servers", type=int, default=2, help="daphne processes (2 cores here)")
    args = parser.parse_args()
    print(json.dumps(chat_bench(args.clients, args.seconds, args.interval, args.servers), indent=2))
