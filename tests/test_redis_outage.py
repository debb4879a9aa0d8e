"""Redis stopped for 10 s under load: nothing lost, nothing 500 (issue #16).

A private redis-server is the cache, the channel layer and the Celery broker of a daphne
server and a Celery worker, against PostgreSQL. While an API client reads the feed and
posts comments and two chat clients type, Redis is stopped for 10 s (the API client
uploads a photo meanwhile, and has the next one analysed) and started again. The chat
clients are Python `websockets` clients that follow chat.js's protocol (see ChatClient),
not chat.js in a browser.

The sweep of stuck work re-queues an analysis pending past its time limit (180 s), a
display image missing past 60 s and an analysis of a photo being posted pending past
60 s; rather than wait that long, the test backdates their queued times after the outage
and has the worker run the real sweep task."""

import asyncio
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import websockets
from celery import Celery
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from socialapp.accounts.models import Follow
from socialapp.chat import services as chat_services
from socialapp.chat.models import Message
from socialapp.photos.models import Photo
from tagging.models import DraftAnalysis, PhotoSuggestion
from tests.conftest import unavailable
from tests.factories import UserFactory
from tests.servers import daphne_servers, free_port, wait_for_port
from tests.workers import worker_database_url, worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CUPS = Path(__file__).resolve().parent.parent / "socialapp" / "demo" / "data" / "photos" / "dev_003.jpg"
TYPE_EVERY = 0.5  # seconds between messages a person types, and between API calls
OUTAGE = 10.0
BEFORE, AFTER = 4.0, 6.0  # seconds of typing before the outage and after it
SETTLE = 25.0  # after typing stops: every message stored and seen by both sides
READY = 60.0  # after Redis is back: the upload has its suggestions and display image


class PrivateRedis:
    """A redis-server on a free port in `folder`: stop() ends it (saving its data, as a
    stopped Redis does), start() runs it again on the same port."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "3600 1",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, 10)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@dataclass
class Pending:
    text: str
    state: str = "queued"  # queued | sent | failed
    sent_at: float = 0.0


@dataclass
class ChatClient:
    """One person's thread, as chat.js keeps it: a typed message waits in `pending` until
    the server echoes it stored; it is sent again, with the same client_id, after a
    reconnect, after the retry_after of a rate_limited answer, or when no answer came in
    10 s. A refusal of another kind marks it failed (chat.js shows Retry), which the
    asserts count. A gap in seq, and every (re)connection, asks for a resync."""

    name: str
    url: str
    token: str
    typed: list[tuple[str, str]] = field(default_factory=list)  # (client_id, text)
    pending: dict[str, Pending] = field(default_factory=dict)
    seen: dict[int, dict] = field(default_factory=dict)  # seq -> message frame
    failed: list[dict] = field(default_factory=list)
    last_seq: int = 0
    hold_until: float = 0.0
    ask_again: bool = False  # a refused resync, asked again once the hold is over
    connections: int = 0
    socket: websockets.ClientConnection | None = None

    def type(self, text: str) -> None:
        client_id = uuid.uuid4().hex
        self.typed.append((client_id, text))
        self.pending[client_id] = Pending(text)
        asyncio.get_running_loop().create_task(self.flush())

    async def send(self, frame: dict) -> None:
        if self.socket is not None:
            with suppress(websockets.ConnectionClosed):
                await self.socket.send(json.dumps(frame))

    async def flush(self) -> None:
        wait = self.hold_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if self.socket is None:
            return  # the next connection flushes
        if self.ask_again:
            self.ask_again = False
            await self.send({"type": "resync", "after_seq": self.last_seq})
        for client_id, entry in list(self.pending.items()):
            if entry.state == "queued":
                entry.state, entry.sent_at = "sent", time.monotonic()
                await self.send({"type": "message", "text": entry.text, "client_id": client_id})

    def add(self, frame: dict) -> None:
        if frame["sender"] == self.name:
            self.pending.pop(frame["client_id"], None)
        if frame["seq"] in self.seen:
            return
        self.seen[frame["seq"]] = frame
        if frame["seq"] > self.last_seq + 1:
            asyncio.get_running_loop().create_task(self.send({"type": "resync", "after_seq": self.last_seq}))
        self.last_seq = max(self.last_seq, frame["seq"])

    async def refused(self, frame: dict) -> None:
        entry = self.pending.get(frame.get("client_id", ""))
        if frame.get("code") == "rate_limited":
            self.hold_until = max(self.hold_until, time.monotonic() + frame["retry_after"])
            if entry is not None:
                entry.state = "queued"
            else:
                self.ask_again = True
            asyncio.get_running_loop().create_task(self.flush())  # after the hold, reading on
        elif entry is not None:
            entry.state = "failed"
            self.failed.append(frame)

    async def run(self, stop: asyncio.Event) -> None:
        retry = 0.5
        while not stop.is_set():
            try:
                async with websockets.connect(
                    self.url, additional_headers={"Authorization": f"Token {self.token}"}, open_timeout=5
                ) as socket:
                    self.socket, retry = socket, 0.5
                    self.connections += 1
                    await self.send({"type": "resync", "after_seq": self.last_seq})
                    for entry in self.pending.values():
                        if entry.state == "sent":
                            entry.state = "queued"
                    await self.flush()
                    async for data in socket:
                        frame = json.loads(data)
                        if frame["type"] == "message":
                            self.add(frame)
                        elif frame["type"] == "resync" and frame["more"]:
                            await self.send({"type": "resync", "after_seq": frame["after_seq"]})
                        elif frame["type"] == "error":
                            await self.refused(frame)
            except (OSError, TimeoutError, websockets.WebSocketException):
                pass
            self.socket = None
            await asyncio.sleep(retry)
            retry = min(retry * 2, 4)

    async def resend_unanswered(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(1)
            late = [
                e for e in self.pending.values() if e.state == "sent" and time.monotonic() - e.sent_at > 10
            ]
            for entry in late:
                entry.state = "queued"
            if late:
                await self.flush()


async def _chat(clients: list[ChatClient], timeline: dict[str, float]) -> None:
    """Both people type one message every TYPE_EVERY s from the start until AFTER s past
    the outage, each with one burst of 10 (the first during the outage, the second just
    after it), then wait until every message is stored and seen by both."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop)) for c in clients]
    tasks += [asyncio.create_task(c.resend_unanswered(stop)) for c in clients]
    bursts = {clients[0].name: timeline["down"] + 3, clients[1].name: timeline["up"] + 1}
    n = 0
    while time.monotonic() < timeline["up"] + AFTER:
        n += 1
        for client in clients:
            client.type(f"{client.name} {n}")
            if bursts[client.name] is not None and time.monotonic() >= bursts[client.name]:
                bursts[client.name] = None
                for b in range(10):
                    client.type(f"{client.name} {n} burst {b}")
        await asyncio.sleep(TYPE_EVERY)
    deadline = time.monotonic() + SETTLE
    everything = sum(len(c.typed) for c in clients)
    while time.monotonic() < deadline:
        if all(not c.pending and len(c.seen) == everything for c in clients):
            break
        await asyncio.sleep(0.2)
    stop.set()
    for client in clients:
        if client.socket is not None:
            await client.socket.close()
    await asyncio.gather(*tasks, return_exceptions=True)


def _api(base: str, token: str, photo_id: int, timeline: dict[str, float], results: list) -> None:
    """Read the feed and post a comment every TYPE_EVERY s, from before the outage until
    after it. Appends (what, status, body, seconds since Redis stopped) for each answer."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    n = 0
    while time.monotonic() < timeline["up"] + AFTER:
        n += 1
        response = session.get(f"{base}/api/feed/", timeout=30)
        results.append(
            ("feed", response.status_code, response.text[:300], time.monotonic() - timeline["down"])
        )
        response = session.post(
            f"{base}/api/photos/{photo_id}/comments/", json={"text": f"comment {n}"}, timeout=30
        )
        results.append(
            ("comment", response.status_code, response.text[:300], time.monotonic() - timeline["down"])
        )
        time.sleep(TYPE_EVERY)


def _upload(base: str, token: str, timeline: dict[str, float], results: list) -> None:
    """Upload a photo 2 s into the outage (beside the reads and comments of `_api`)."""
    time.sleep(max(0, timeline["down"] + 2 - time.monotonic()))
    with CUPS.open("rb") as image:
        response = requests.post(
            f"{base}/api/photos/",
            headers={"Authorization": f"Token {token}"},
            files={"image": ("cups.jpg", image, "image/jpeg")},
            timeout=60,
        )
    results.append(("upload", response.status_code, response.text[:300], time.monotonic() - timeline["down"]))
    with CUPS.open("rb") as image:  # the next post's photo, chosen: analysed for its caption
        response = requests.post(
            f"{base}/api/hashtags/analyses/",
            headers={"Authorization": f"Token {token}"},
            files={"image": ("cups.jpg", image, "image/jpeg")},
            timeout=60,
        )
    results.append(
        ("analysis", response.status_code, response.text[:300], time.monotonic() - timeline["down"])
    )


def _wait(condition, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.5)
    raise AssertionError(f"Timed out waiting for {what}")


def test_redis_stopped_for_10_s_loses_no_message_no_upload_and_answers_no_500(postgres_url, tmp_path):
    redis = PrivateRedis(tmp_path)
    reader, buyer, seller = (UserFactory(username=name) for name in ("reader", "buyer", "seller"))
    Follow.objects.create(follower=reader, followee=seller, status=Follow.Status.ACCEPTED)
    commented = Photo.objects.create(
        owner=seller, image=SimpleUploadedFile("cups.jpg", CUPS.read_bytes()), tagging_status="ready"
    )
    conversation, _ = chat_services.conversation_start(user=buyer, other=seller)
    tokens = {user.username: Token.objects.create(user=user).key for user in (reader, buyer, seller)}
    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis.url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MODELS_DIR": str(settings.MODELS_DIR),
        "VAR_DIR": str(tmp_path),
        "CHAT_TRANSLATION": "false",
        "SECRET_KEY": settings.SECRET_KEY,
    }
    socket_url = f"ws://127.0.0.1:{port}/ws/chat/{conversation.pk}/"
    clients = [ChatClient(name, socket_url, tokens[name]) for name in ("buyer", "seller")]
    api_results: list[tuple[str, int, str, float]] = []
    sender = Celery(broker=redis.url, set_as_current=False)  # shared tasks stay ours

    redis.start()
    worker = worker_start(queue="celery", env=env, pool="solo", loglevel="WARNING")
    try:
        with daphne_servers([port], os.environ | env):
            start = time.monotonic()
            timeline = {"down": start + BEFORE, "up": start + BEFORE + OUTAGE}
            base = f"http://127.0.0.1:{port}"
            api = [
                threading.Thread(
                    target=_api, args=(base, tokens["reader"], commented.pk, timeline, api_results)
                ),
                threading.Thread(target=_upload, args=(base, tokens["reader"], timeline, api_results)),
            ]
            for thread in api:
                thread.start()
            chat = threading.Thread(target=asyncio.run, args=(_chat(clients, timeline),))
            chat.start()
            time.sleep(max(0, timeline["down"] - time.monotonic()))
            redis.stop()
            time.sleep(max(0, timeline["up"] - time.monotonic()))
            redis.start()
            for thread in api:
                thread.join()
            [upload] = Photo.objects.filter(owner=reader)
            before_sweep = (upload.tagging_status, upload.thumbnail_1080.name)
            # As if the sweep's time limits had passed: queued 180 s ago, stored 60 s ago.
            Photo.objects.filter(pk=upload.pk).update(
                tagging_queued_at=timezone.now() - timedelta(hours=1),
                updated_at=timezone.now() - timedelta(hours=1),
            )
            [draft] = DraftAnalysis.objects.filter(owner=reader)
            DraftAnalysis.objects.filter(pk=draft.pk).update(queued_at=timezone.now() - timedelta(minutes=2))

            def swept_and_done() -> bool:
                upload.refresh_from_db()
                draft.refresh_from_db()
                if upload.tagging_status != "pending" and upload.thumbnail_1080 and draft.status != "pending":
                    return True
                sender.send_task("socialapp.photos.tasks.stuck_requeue")
                return False

            _wait(swept_and_done, READY, "the upload's suggestions and display image")
            chat.join()
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=30)
        redis.stop()

    statuses = Counter((what, status) for what, status, _, _ in api_results)
    assert [r for r in api_results if r[1] >= 500] == []
    assert set(statuses) == {("feed", 200), ("comment", 201), ("upload", 201), ("analysis", 201)}, statuses
    assert statuses[("upload", 201)] == statuses[("analysis", 201)] == 1
    # The reads and comments went on through the outage, not just around it.
    answered_during = {what for what, _, _, at in api_results if 1 < at < OUTAGE}
    assert answered_during == {"feed", "comment", "upload", "analysis"}  # neither waited for Redis
    [analysis] = [json.loads(body) for what, _, body, _ in api_results if what == "analysis"]
    assert analysis["status"] == "pending"  # not queued: the autocomplete reads the caption alone
    for client in clients:
        stored = list(
            Message.objects.filter(conversation=conversation, sender__username=client.name)
            .order_by("seq")
            .values_list("client_id", "text")
        )
        assert stored == client.typed  # each once, in the order typed
        assert client.pending == {} and client.failed == []
    everything = list(
        Message.objects.filter(conversation=conversation).order_by("seq").values_list("seq", "text")
    )
    for client in clients:
        assert sorted((seq, frame["text"]) for seq, frame in client.seen.items()) == everything
    assert before_sweep == ("pending", "")  # its tasks could not be queued: the sweep did
    upload.refresh_from_db()
    assert upload.tagging_status == "ready", (upload.tagging_reason, stderr.decode()[-2000:])
    assert Path(upload.thumbnail_1080.path).is_file()
    assert PhotoSuggestion.objects.filter(photo=upload).count() > 0
    assert (draft.status, bool(draft.scores)) == ("ready", True)  # the sweep queued it again
