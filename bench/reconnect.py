"""Chat reconnect storm: N authenticated WebSocket clients in pairs on the daphne
processes the chat bench uses (channels_redis, PostgreSQL). Each sends a few messages,
then every server is killed; while they are down, messages are stored through the
service (the clients miss them) and each client queues one message of its own. The
servers start again and all clients reconnect at once (each tries every 0.5 s: chat.js
backs off from 0.5 s to 10 s, which would measure its back-off, not the servers), ask
for what they missed with `resync` (a page of 50 at a time while `more`), send their
queued message, and wait `retry_after` when an answer is `rate_limited`. Daphne listens
with Twisted's backlog of 50 unless --backlog says otherwise.

Reports: seconds from the restart until the servers accept, then until every socket is
back, until every client has every missed message, and until every client also has
every queued message; messages lost (expected in a conversation but never received by
one of its clients; the target is 0); rate-limited answers and other error frames."""

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "socialapp_storm"
REDIS_DB = 10
RETRY_S = 0.5  # between one client's connection attempts while the servers are down
LIVE = 3  # messages each client sends before the restart
MISSED = 60  # messages stored in each conversation while the servers are down (2 pages)


@dataclass
class Client:
    url: str
    key: str
    me: str
    total: int  # messages its conversation will hold: live, missed and the two queued
    missed_until: int  # the last seq stored while the servers were down
    received: set[int] = field(default_factory=set)
    queued: str = field(default_factory=lambda: uuid.uuid4().hex)
    reconnected: float | None = None
    resynced: float | None = None  # has every missed message
    complete: float | None = None  # has every message, queued ones included
    attempts: int = 0  # connection attempts refused while the servers were down

    def contiguous(self) -> int:
        """The last seq up to which nothing is missing (what a page's client remembers)."""
        seq = 0
        while seq + 1 in self.received:
            seq += 1
        return seq


@dataclass
class Storm:
    clients: list[Client]
    kill: Callable[[], None]  # stops every server (their sockets drop)
    store_missed: Callable[[], None]  # stores MISSED messages in each conversation
    start: Callable[[], None]  # starts the servers again; returns once they accept
    live: int = LIVE
    wait_s: float = 120.0  # at most, for each phase
    log: dict[str, Any] = field(
        default_factory=lambda: {
            "connected": 0,
            "rate_limited": 0,
            "errors": [],
            "resync_frames": 0,
            "dropped": 0,  # sockets closed by a server before the kill
            "killed": False,
        }
    )


async def _later(seconds: float, ws: Any, frame: dict[str, Any], storm: Storm) -> None:
    await asyncio.sleep(seconds + random.uniform(0, 0.5))  # noqa: S311 - jitter, not a secret
    if frame["type"] == "resync":
        storm.log["resync_frames"] += 1
    with contextlib.suppress(websockets.ConnectionClosed):  # gone meanwhile
        await ws.send(json.dumps(frame))


async def _read(ws: Any, client: Client, storm: Storm) -> None:
    """Handle the server's frames until the socket closes."""
    try:
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "message":
                client.received.add(frame["seq"])
                now = time.monotonic()
                back = client.resynced is None and client.reconnected is not None
                if back and all(seq in client.received for seq in range(1, client.missed_until + 1)):
                    client.resynced = now
                if client.complete is None and len(client.received) == client.total:
                    client.complete = now
            elif kind == "resync" and frame["more"]:
                storm.log["resync_frames"] += 1
                await ws.send(json.dumps({"type": "resync", "after_seq": frame["after_seq"]}))
            elif kind == "error" and frame.get("code") == "rate_limited":
                storm.log["rate_limited"] += 1
                if frame.get("client_id"):
                    again = {
                        "type": "message",
                        "text": f"{client.me} queued",
                        "client_id": frame["client_id"],
                    }
                else:  # a resync (or read) was refused: ask again from what is there
                    again = {"type": "resync", "after_seq": client.contiguous()}
                asyncio.create_task(_later(frame["retry_after"], ws, again, storm))  # noqa: RUF006
            elif kind == "error":
                storm.log["errors"].append(frame.get("detail"))
    except websockets.ConnectionClosed:
        pass


async def _connect(client: Client) -> Any:
    return await websockets.connect(
        client.url,
        additional_headers={"Authorization": f"Token {client.key}"},
        max_queue=None,
        open_timeout=60,
    )


async def _client(client: Client, storm: Storm, ready: asyncio.Event, handshakes: asyncio.Semaphore) -> None:
    async with handshakes:  # the first time, a few dozen at a time
        ws = await _connect(client)
    storm.log["connected"] += 1
    await ready.wait()
    reader = asyncio.create_task(_read(ws, client, storm))
    for n in range(storm.live):
        await asyncio.sleep(random.uniform(0.05, 0.3))  # noqa: S311
        text = json.dumps({"type": "message", "text": f"{client.me} {n}", "client_id": uuid.uuid4().hex})
        try:
            await ws.send(text)
        except websockets.ConnectionClosed:
            break
    await reader  # until the kill closes it
    if not storm.log["killed"]:
        storm.log["dropped"] += 1
    # The storm: try again every RETRY_S until the servers take the socket.
    while True:
        try:
            ws = await _connect(client)
            break
        except (OSError, TimeoutError, websockets.InvalidHandshake):
            client.attempts += 1
            await asyncio.sleep(RETRY_S * random.uniform(0.8, 1.2))  # noqa: S311
    client.reconnected = time.monotonic()
    async with ws:
        # As chat.js does on "open": resync, read, then what was queued.
        storm.log["resync_frames"] += 1
        seq = client.contiguous()
        await ws.send(json.dumps({"type": "resync", "after_seq": seq}))
        if seq:
            await ws.send(json.dumps({"type": "read", "seq": seq}))
        await ws.send(
            json.dumps({"type": "message", "text": f"{client.me} queued", "client_id": client.queued})
        )
        reader = asyncio.create_task(_read(ws, client, storm))
        deadline = time.monotonic() + storm.wait_s
        while time.monotonic() < deadline and any(c.complete is None for c in storm.clients):
            await asyncio.sleep(0.1)
        reader.cancel()


def _seconds(times: list[float | None], since: float) -> dict[str, float | None]:
    done = [max(0.0, t - since) for t in times if t is not None]
    if not done:
        return {"p50": None, "max": None}
    return {"p50": round(statistics.median(done), 2), "max": round(max(done), 2)}


async def storm_run(storm: Storm) -> dict[str, Any]:
    """Connect, send, kill, store the missed messages, restart; wait for every client to
    have everything (or `wait_s` a phase) and return the figures."""
    ready, handshakes = asyncio.Event(), asyncio.Semaphore(25)
    runner = asyncio.gather(*(_client(c, storm, ready, handshakes) for c in storm.clients))
    deadline = time.monotonic() + storm.wait_s
    while storm.log["connected"] < len(storm.clients) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    ready.set()
    live = 2 * storm.live
    deadline = time.monotonic() + storm.wait_s
    while time.monotonic() < deadline and not all(len(c.received) >= live for c in storm.clients):
        await asyncio.sleep(0.1)
    storm.log["killed"] = True
    await asyncio.to_thread(storm.kill)
    stored = time.monotonic()
    await asyncio.to_thread(storm.store_missed)
    store_s = time.monotonic() - stored
    restart = time.monotonic()
    await asyncio.to_thread(storm.start)
    accepting = time.monotonic()
    await runner
    clients = storm.clients
    errors = storm.log["errors"]
    return {
        "sockets": len(clients),
        "live_messages": sum(storm.live for _ in clients),
        "missed_messages": (clients[0].missed_until - live) * len(clients) // 2 if clients else 0,
        "queued_messages": len(clients),
        "store_missed_s": round(store_s, 1),
        "restart_until_accepting_s": round(accepting - restart, 2),
        # From the moment the restarted servers accept:
        "reconnected_s": _seconds([c.reconnected for c in clients], accepting),
        "resynced_s": _seconds([c.resynced for c in clients], accepting),
        "complete_s": _seconds([c.complete for c in clients], accepting),
        "reconnected": sum(c.reconnected is not None for c in clients),
        "resynced": sum(c.resynced is not None for c in clients),
        "complete": sum(c.complete is not None for c in clients),
        "messages_lost": sum(len(set(range(1, c.total + 1)) - c.received) for c in clients),
        "messages_unexpected": sum(len(c.received - set(range(1, c.total + 1))) for c in clients),
        "refused_attempts": sum(c.attempts for c in clients),
        "resync_frames": storm.log["resync_frames"],
        "rate_limited": storm.log["rate_limited"],
        "error_frames": len(errors),
        "error_details": sorted(set(errors))[:5],
        "sockets_dropped_before_kill": storm.log["dropped"],
        "retry_s": RETRY_S,
    }


def storm_clients(pairs: list[dict[str, Any]], ports: list[int], live: int, missed: int) -> list[Client]:
    """Two clients per conversation, on different servers when there are two."""
    clients = []
    for n, pair in enumerate(pairs):
        for k, who in enumerate(("a", "b")):
            url = f"ws://127.0.0.1:{ports[(2 * n + k) % len(ports)]}/ws/chat/{pair['conversation']}/"
            clients.append(
                Client(
                    url=url,
                    key=pair[who],
                    me=f"{who}{n}",
                    total=2 * live + missed + 2,
                    missed_until=2 * live + missed,
                )
            )
    return clients


def _store_missed(missed: int) -> None:
    """(In its own process, on the bench's database.) `missed` messages in every
    conversation, from both people in turn."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")
    import django

    django.setup()
    from django.db import transaction

    from socialapp.chat.models import Conversation
    from socialapp.chat.services import message_send

    # One transaction (one commit to wait for) per conversation: the point is what the
    # clients missed, not how fast it was written.
    for conversation in Conversation.objects.prefetch_related("participants__user"):
        people = [p.user for p in conversation.participants.all()]
        with transaction.atomic():
            for n in range(missed):
                message_send(
                    conversation=conversation,
                    sender=people[n % 2],
                    text=f"missed {n}",
                    client_id=f"missed-{n}",
                )


def reconnect_bench(
    clients: int = 500,
    servers: int = 2,
    live: int = LIVE,
    missed: int = MISSED,
    backlog: int | None = None,
) -> dict[str, Any]:
    """Run the storm; needs PostgreSQL and Redis on 127.0.0.1 (skipped, and said so, without)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from chat import _port, _reachable  # bench/chat.py

    if not (_reachable(5432) and _reachable(6379)):
        return {"skipped": "needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)"}
    import psycopg
    import redis

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()  # no groups or counts from an earlier run
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": redis_url,
        "VAR_DIR": tempfile.mkdtemp(prefix="socialapp-reconnect-bench-"),
        "DEBUG": "false",
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)  # type: ignore[call-overload]
    pairs = json.loads(subprocess.run([sys.executable, "bench/chat_setup.py", str(clients)], **run).stdout)  # type: ignore[call-overload]
    ports = [_port() for _ in range(servers)]
    running: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        for n, port in enumerate(ports):
            log = (Path(env["VAR_DIR"]) / f"daphne{n}.log").open("a")
            # Twisted listens with a backlog of 50 unless the endpoint says otherwise.
            endpoint = f"tcp:port={port}:interface=127.0.0.1" + (f":backlog={backlog}" if backlog else "")
            command = [Path(sys.executable).parent / "daphne", "-e", endpoint, "socialapp.asgi:application"]
            running.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
            )
        deadline = time.monotonic() + 60
        while not all(_reachable(port) for port in ports) and time.monotonic() < deadline:
            time.sleep(0.05)

    def kill() -> None:
        for server in running:
            server.kill()  # a crash, not a clean shutdown
        for server in running:
            server.wait(timeout=30)
        running.clear()

    def store_missed() -> None:
        subprocess.run([sys.executable, __file__, "--store-missed", str(missed)], **run)  # type: ignore[call-overload]

    start()
    try:
        storm = Storm(storm_clients(pairs, ports, live, missed), kill, store_missed, start, live)
        results = asyncio.run(storm_run(storm))
    finally:
        for server in running:
            server.terminate()
        for server in running:
            server.wait(timeout=30)
    return {"servers": servers, "listen_backlog": backlog or 50, **results}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clients", type=int, nargs="?", default=500)
    parser.add_argument("--servers", type=int, default=2, help="daphne processes (2 cores here)")
    parser.add_argument(
        "--live", type=int, default=LIVE, help="messages each client sends before the restart"
    )
    parser.add_argument(
        "--missed", type=int, default=MISSED, help="messages stored per conversation while down"
    )
    parser.add_argument("--backlog", type=int, help="daphne's listen backlog (Twisted's default: 50)")
    parser.add_argument("--store-missed", type=int, help=argparse.SUPPRESS)  # the bench's own step
    args = parser.parse_args()
    if args.store_missed is not None:
        _store_missed(args.store_missed)
    else:
        print(
            json.dumps(
                reconnect_bench(args.clients, args.servers, args.live, args.missed, args.backlog), indent=2
            )
        )
