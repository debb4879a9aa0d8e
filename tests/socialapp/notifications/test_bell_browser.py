"""The bell and the Messages badge in a real browser: what someone else does shows up on
an open page at once, without a reload."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from socialapp.chat.services import conversation_start
from socialapp.notifications.services import notifications_mark_read
from socialapp.photos.services import photo_create
from tests.browser import ROOT, wait_until
from tests.factories import UserFactory

pytestmark = pytest.mark.services

LIVE = "() => document.documentElement.dataset.notifications === 'live'"
# A demo photo (CC0, socialapp/demo/data/LICENSES.md): these screenshots are the README's.
WINDMILL = ROOT / "socialapp" / "demo" / "data" / "photos" / "dev_002.jpg"


def test_a_like_and_a_follow_raise_the_other_persons_bell_live(app_server, browsing):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    image = SimpleUploadedFile("windmill.jpg", WINDMILL.read_bytes(), content_type="image/jpeg")
    photo = photo_create(owner=alice, image=image, caption="Windmill in the harbour of Rhodes #windmill")
    notifications_mark_read(user=alice)  # her post's hashtag suggestions are ready: seen
    alices = browsing.open(app_server.url("/"), user=alice)
    bell = alices.locator("header.topbar [data-badge=notifications]")
    wait_until(alices, LIVE)
    expect(bell).to_be_hidden()

    bobs = browsing.open(app_server.url(photo.get_absolute_url()), user=bob)
    bobs.get_by_role("button", name="♡ Like").click()
    expect(bell).to_have_text("1 unread")
    bobs.goto(app_server.url("/u/alice/"))
    bobs.get_by_role("button", name="Follow", exact=True).click()
    expect(bell).to_have_text("2 unread")
    browsing.check(alices, "bell")

    alices.get_by_role("link", name="Notifications 2 unread").click()
    items = alices.locator(".notification p")
    expect(items).to_contain_text(["bob started following you.", "bob liked your post. View post"])
    browsing.check(alices, "list")
    alices.get_by_role("button", name="Mark all as read").click()
    expect(bell).to_be_hidden()


def test_a_message_raises_the_messages_badge_live(app_server, browsing):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation, _ = conversation_start(user=bob, other=alice)
    alices = browsing.open(app_server.url("/"), user=alice)
    wait_until(alices, LIVE)
    # Desktop shows Messages in the header, a phone in the tab bar.
    badge = alices.locator("header.topbar [data-badge=messages], .tabbar [data-badge=messages]").locator(
        "visible=true"
    )
    expect(badge).to_have_count(0)

    token = {"Authorization": f"Token {Token.objects.create(user=bob).key}"}
    socket_url = app_server.url(f"/ws/chat/{conversation.pk}/").replace("http", "ws", 1)
    with connect(socket_url, additional_headers=token) as bobs:
        for n, text in enumerate(["hola", "¿sigue disponible?"]):
            bobs.send(json.dumps({"type": "message", "text": text, "client_id": f"c{n}"}))
            json.loads(bobs.recv(timeout=10))

    expect(badge).to_have_text("2 unread")


def test_counts_fetched_before_a_live_event_do_not_undo_it(app_server, browsing):
    # The page fetches the counts when its socket opens. A busy server can answer that
    # fetch after the socket has brought a newer count: the older answer must not win.
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation, _ = conversation_start(user=bob, other=alice)
    context = browsing.context(alice, app_server.url("/"))
    held = []  # (route, the counts as they were when asked), answered later
    context.route("**/api/notifications/unread/", lambda route: held.append((route, route.fetch())))
    alices = browsing.open(app_server.url("/"), context=context)
    wait_until(alices, LIVE)
    badge = alices.locator("header.topbar [data-badge=messages], .tabbar [data-badge=messages]").locator(
        "visible=true"
    )
    token = {"Authorization": f"Token {Token.objects.create(user=bob).key}"}
    socket_url = app_server.url(f"/ws/chat/{conversation.pk}/").replace("http", "ws", 1)
    with connect(socket_url, additional_headers=token) as bobs:
        bobs.send(json.dumps({"type": "message", "text": "hola", "client_id": "c0"}))
        json.loads(bobs.recv(timeout=10))
    expect(badge).to_have_text("1 unread")
    for _ in range(100):  # the handler runs while Playwright waits: its fetch may not be back yet
        if held:
            break
        alices.wait_for_timeout(50)
    assert len(held) == 1  # the fetch on open, still unanswered

    route, counts = held.pop()
    route.fulfill(response=counts)  # "0 unread", from before the message
    alices.wait_for_timeout(500)  # the page applies the answer

    expect(badge).to_have_text("1 unread")
