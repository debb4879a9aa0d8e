"""The authorization sweep of issue #15 ("Private means private").

One table, TABLE, says for every route of the URL conf (socialapp/urls.py, the api/
include and the admin) and every WebSocket route (socialapp/routing.py) what each actor
gets for each object of one shared world: row = (route, method), then object -> actor ->
expected answer. test_every_route_has_a_row fails for a route without a row, so a new
route has to be added here with its rules.

The rules: a post, listing, conversation or file you may not see is 404 (never 403);
anonymous visitors of a signed-in page go to /login/?next=...; the API answers anonymous
callers 401; moderation is 403 for everyone signed in who is not a moderator. Mutating
requests are ones that would succeed when allowed; only the status is asserted.

The world is built once for the module inside a transaction that is rolled back at the
end; each test runs in its own savepoint (pytest-django's `db`), so a DELETE in one test
is gone for the next. No test commits, so no on-commit work (tagging, display images)
ever runs: the tagger model is never loaded.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from socialapp.accounts.models import Follow
from socialapp.accounts.selectors import MODERATORS_GROUP
from socialapp.accounts.services import block_create, follow_create
from socialapp.chat.services import conversation_start, message_send
from socialapp.hashtags.models import Hashtag
from socialapp.moderation.services import appeal_create, photo_hide, report_create
from socialapp.photos.models import Photo
from socialapp.photos.services import comment_create
from socialapp.routing import websocket_urlpatterns
from socialapp.shop.services import listing_create
from tagging.models import DraftAnalysis, ModelVersion
from tests.factories import PASSWORD, UserFactory, make_photo, suggestion_stored
from tests.images import jpeg_bytes

ACTORS = ("anon", "pub", "priv", "follower", "stranger", "blocked", "mod")
USERNAMES = {
    "pub": "pub",  # a public account
    "priv": "priv",  # a private account
    "follower": "fan",  # priv's approved follower
    "stranger": "stranger",  # follows nobody; asked to follow priv (pending)
    "blocked": "pest",  # blocked by pub and by priv
    "mod": "mod",  # in the moderators group, not staff
}

LOGIN = "302 /login/"  # a redirect to /login/?next=<the page>
ADMIN_LOGIN = "302 /admin/login/"
OPEN = "accepted"  # a WebSocket the server accepts; refused ones close with 4403

# Who may see what: the owner, approved followers of the private account, moderators for
# hidden content; a block hides everything of the blocker (pub and priv blocked "pest").
SEES = {
    "pub_post": {"anon", "pub", "priv", "follower", "stranger", "mod"},
    "priv_post": {"priv", "follower"},
    "hidden_post": {"pub", "mod"},
    "pub_listing": {"anon", "pub", "priv", "follower", "stranger", "mod"},
    "hidden_listing": {"pub", "mod"},
}
# Acting on a post (like, comment, report) takes more than seeing it: a hidden post is out
# of circulation, and moderators act on it only through moderation.
ACTS = {**SEES, "hidden_post": {"pub"}}
OWNER = {
    "pub_post": "pub",
    "priv_post": "priv",
    "hidden_post": "pub",
    "pub_listing": "pub",
    "hidden_listing": "pub",
}
POSTS = ("pub_post", "priv_post", "hidden_post")
LISTINGS = ("pub_listing", "hidden_listing")


def who(default: Any, **actors: Any) -> dict[str, Any]:
    """Every actor gets `default` unless named."""
    return {actor: actors.get(actor, default) for actor in ACTORS}


def page(default: Any, **actors: Any) -> dict[str, Any]:
    """A signed-in page: anonymous visitors are sent to log in."""
    return who(default, **{"anon": LOGIN, **actors})


def api(default: Any, **actors: Any) -> dict[str, Any]:
    """A signed-in API endpoint: anonymous callers get 401."""
    return who(default, **{"anon": 401, **actors})


def seen(obj: str, yes: Any, anon: Any = None) -> dict[str, Any]:
    """`yes` for whoever may see `obj`, 404 for the rest (`anon` overrides anonymous)."""
    answer = {actor: yes if actor in SEES[obj] else 404 for actor in ACTORS}
    if anon is not None:
        answer["anon"] = anon
    return answer


def acts(obj: str, yes: Any, anon: Any) -> dict[str, Any]:
    """`yes` for whoever may act on `obj`, 404 for the rest, `anon` for anonymous."""
    return {**{actor: yes if actor in ACTS[obj] else 404 for actor in ACTORS}, "anon": anon}


def owned(obj: str, yes: Any, anon: Any) -> dict[str, Any]:
    """`yes` for the owner of `obj`, 404 for everyone else signed in."""
    return who(404, anon=anon, **{OWNER[obj]: yes})


def each(objects: tuple[str, ...], rule: Callable[[str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {obj: rule(obj) for obj in objects}


MODERATORS_ONLY_PAGE = who(403, anon=LOGIN, mod=200)
MODERATORS_ONLY_FORM = who(403, anon=LOGIN, mod=302)
MODERATORS_ONLY_API = who(403, anon=401, mod=200)
PARTICIPANTS = {"pub", "stranger"}  # of the conversation "conv"; "blocked_conv" is priv <-> pest


@dataclass(frozen=True)
class Row:
    route: str  # the route's name (admin: namespaced), or "admin/*" for the rest of the admin
    method: str
    expect: dict[str, dict[str, Any]]  # object -> actor -> status
    data: Any = None  # dict, or a function of the object's values
    path: str = ""  # a literal path instead of one built from the route
    zip: bool = False  # a 200 must be a zip file


def _upload(**extra: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda values: {**extra, "image": SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg")}


LISTING_FORM = {"title": "Lamp", "price": "12.00", "currency": "EUR", "category": "home"}
NEW_PASSWORD = "another-horse-battery-77"

TABLE: list[Row] = [
    # -- accounts: pages ----------------------------------------------------------------
    Row("signup", "GET", {"-": who(302, anon=200)}),
    Row("login", "GET", {"-": who(302, anon=200)}),
    Row("logout", "POST", {"-": who(302)}),
    Row("password_change", "GET", {"-": page(200)}),
    Row("password_change_done", "GET", {"-": page(200)}),
    Row("password_reset", "GET", {"-": who(200)}),
    Row("password_reset_done", "GET", {"-": who(200)}),
    Row("password_reset_confirm", "GET", {"reset_link": who(200)}),
    Row("password_reset_complete", "GET", {"-": who(200)}),
    Row("settings", "GET", {"-": page(200)}),
    Row("sign_out_everywhere", "POST", {"-": page(302)}),
    Row("account_delete", "GET", {"-": page(200)}),
    Row("account_delete", "POST", {"-": page(302)}, data={"password": PASSWORD}),
    Row("data_export", "GET", {"-": page(200)}, zip=True),
    Row("blocked", "GET", {"-": page(200)}),
    Row("follow_requests", "GET", {"-": page(200)}),
    Row("follow_request_decide", "POST", {"follow_request": who(404, anon=LOGIN, priv=302)}),
    Row("follow", "POST", {u: page(302, blocked=404) for u in ("pub_user", "priv_user")}),
    Row("unfollow", "POST", {u: page(302, blocked=404) for u in ("pub_user", "priv_user")}),
    Row("block", "POST", {"pub_user": page(302)}),
    Row("unblock", "POST", {"blocked_user": who(404, anon=LOGIN, pub=302, priv=302)}),
    # -- accounts: API ------------------------------------------------------------------
    Row("api-register", "POST", {"-": who(201)}, data={"username": "newcomer", "password": NEW_PASSWORD}),
    Row("api-token", "POST", {"-": who(200)}, data={"username": "pub", "password": PASSWORD}),
    Row("api-logout", "DELETE", {"-": api(204)}),
    Row("api-password-reset", "POST", {"-": who(202)}, data={"email": "pub@example.com"}),
    Row("api-me", "GET", {"-": api(200)}),
    Row("api-me", "PATCH", {"-": api(200)}, data={"bio": "Hello"}),
    Row("api-me", "DELETE", {"-": api(204)}, data={"password": PASSWORD}),
    Row(
        "api-password-change",
        "POST",
        {"-": api(204)},
        data={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    Row("api-sign-out-everywhere", "POST", {"-": api(200)}),
    Row("api-data-export", "GET", {"-": api(200)}, zip=True),
    Row("api-follow-requests", "GET", {"-": api(200)}),
    Row("api-follow-request-approve", "POST", {"follow_request": who(404, anon=401, priv=200)}),
    Row("api-follow-request-decline", "POST", {"follow_request": who(404, anon=401, priv=204)}),
    Row("api-profile", "GET", {u: who(200, blocked=404) for u in ("pub_user", "priv_user")}),
    Row(
        "api-follow",
        "POST",
        {
            "pub_user": api(201, pub=400, blocked=404),
            "priv_user": api(201, priv=400, blocked=404),
        },
    ),
    Row(
        "api-follow",
        "DELETE",
        {"pub_user": api(404), "priv_user": api(404, follower=204, stranger=204)},
    ),
    Row("api-block", "POST", {"pub_user": api(201, pub=400)}),
    Row("api-block", "DELETE", {"blocked_user": api(404, pub=204, priv=204)}),
    # -- photos: pages ------------------------------------------------------------------
    Row("home", "GET", {"-": who(200)}),
    Row("photo_create", "GET", {"-": page(200)}),
    Row("photo", "GET", each(POSTS, lambda p: seen(p, 200))),
    Row("photo_edit", "POST", each(POSTS, lambda p: owned(p, 302, LOGIN)), data={"caption": "New"}),
    Row("photo_delete", "POST", each(POSTS, lambda p: owned(p, 302, LOGIN))),
    Row("photo_like", "POST", each(POSTS, lambda p: acts(p, 302, LOGIN))),
    Row("comment_create", "POST", each(POSTS, lambda p: acts(p, 302, LOGIN)), data={"text": "Nice"}),
    Row("comment_delete", "POST", each(POSTS, lambda p: acts(p, 302, LOGIN))),
    Row("hashtag", "GET", {"tag": who(200)}),
    Row("profile", "GET", {u: who(200, blocked=404) for u in ("pub_user", "priv_user")}),
    # -- photos: API --------------------------------------------------------------------
    Row("api-photo-create", "POST", {"-": api(201)}, data=_upload(caption="New")),
    Row("api-photo", "GET", each(POSTS, lambda p: seen(p, 200))),
    Row("api-photo", "PATCH", each(POSTS, lambda p: owned(p, 200, 401)), data={"caption": "New"}),
    Row("api-photo", "DELETE", each(POSTS, lambda p: owned(p, 204, 401))),
    Row("api-photo-like", "POST", each(POSTS, lambda p: acts(p, 200, 401))),
    Row("api-photo-like", "DELETE", each(POSTS, lambda p: acts(p, 200, 401))),
    Row("api-photo-likers", "GET", each(POSTS, lambda p: seen(p, 200))),
    Row("api-comments", "GET", each(POSTS, lambda p: seen(p, 200))),
    Row("api-comments", "POST", each(POSTS, lambda p: acts(p, 201, 401)), data={"text": "Nice"}),
    # The comment on pub_post and hidden_post is the stranger's, on priv_post the follower's:
    # its author and the post's owner may delete it; others who see the post get 403.
    Row(
        "api-comment-delete",
        "DELETE",
        {
            "pub_post": {**seen("pub_post", 403, anon=401), "pub": 204, "stranger": 204},
            "priv_post": {**seen("priv_post", 403, anon=401), "priv": 204, "follower": 204},
            "hidden_post": {**acts("hidden_post", 403, 401), "pub": 204},
        },
    ),
    Row("api-feed", "GET", {"-": api(200)}),
    # A private account's grid is refused with 403 (its profile is visible, its posts not).
    Row(
        "api-user-photos",
        "GET",
        {"pub_user": who(200, blocked=404), "priv_user": who(403, priv=200, follower=200, blocked=404)},
    ),
    Row("api-hashtag", "GET", {"tag": who(200)}),
    # Autocomplete while typing: anyone; a photo's tagger scores, as its suggestions, only
    # for its owner (a hidden post's too).
    Row("api-hashtag-suggest", "GET", {"-": who(200)}, data={"q": "se"}),
    Row(
        "api-hashtag-suggest",
        "GET",
        each(POSTS, lambda p: owned(p, 200, 404)),
        data=lambda v: {"q": "se", "photo": v["photo_id"]},
    ),
    # A photo being posted: anyone signed in may have one analysed; what the tagger saw in
    # it is its owner's alone, as a post's tagger scores are.
    Row("api-draft-analysis-create", "POST", {"-": api(201)}, data=_upload()),
    Row(
        "api-hashtag-suggest",
        "GET",
        {"draft": who(404, pub=200)},
        data=lambda v: {"q": "se", "analysis": v["analysis_id"]},
    ),
    # -- notifications --------------------------------------------------------------------
    Row("notifications", "GET", {"-": page(200)}),
    Row("notifications_read", "POST", {"-": page(302)}),
    Row("notification_settings", "GET", {"-": page(200)}),
    Row("api-notifications", "GET", {"-": api(200)}),
    Row("api-notifications-unread", "GET", {"-": api(200)}),
    Row("api-notifications-read", "POST", {"-": api(200)}),
    # -- shop ---------------------------------------------------------------------------
    Row("shop", "GET", {"-": who(200)}),
    Row("listing_create", "GET", {"-": page(200)}),
    Row("listing", "GET", each(LISTINGS, lambda x: seen(x, 200))),
    Row("listing_edit", "GET", each(LISTINGS, lambda x: owned(x, 200, LOGIN))),
    Row("listing_sold", "POST", each(LISTINGS, lambda x: owned(x, 302, LOGIN))),
    Row("listing_available", "POST", each(LISTINGS, lambda x: owned(x, 302, LOGIN))),
    Row("listing_delete", "POST", each(LISTINGS, lambda x: owned(x, 302, LOGIN))),
    Row("api-listings", "GET", {"-": who(200)}),
    Row("api-listings", "POST", {"-": api(201)}, data=_upload(**LISTING_FORM)),
    Row("api-listing", "GET", each(LISTINGS, lambda x: seen(x, 200))),
    Row("api-listing", "PATCH", each(LISTINGS, lambda x: owned(x, 200, 401)), data={"title": "Lamp"}),
    Row("api-listing", "DELETE", each(LISTINGS, lambda x: owned(x, 204, 401))),
    Row("api-listing-sold", "POST", each(LISTINGS, lambda x: owned(x, 200, 401))),
    Row("api-listing-available", "POST", each(LISTINGS, lambda x: owned(x, 200, 401))),
    # -- search -------------------------------------------------------------------------
    Row("search", "GET", {"-": who(200)}, data={"q": "sea"}),
    Row("api-search", "GET", {"-": who(200)}, data={"q": "sea"}),
    # -- tagging ------------------------------------------------------------------------
    Row("privacy", "GET", {"-": page(200)}),
    Row("suggestion_decide", "POST", each(POSTS, lambda p: owned(p, 302, LOGIN))),
    Row("suggestions_retry", "POST", each(POSTS, lambda p: owned(p, 302, LOGIN))),
    Row("api-suggestions", "GET", each(POSTS, lambda p: owned(p, 200, 401))),
    Row("api-suggestion-accept", "POST", each(POSTS, lambda p: owned(p, 200, 401))),
    Row("api-suggestion-reject", "POST", each(POSTS, lambda p: owned(p, 200, 401))),
    Row("api-suggestions-retry", "POST", each(POSTS, lambda p: owned(p, 202, 401))),
    # -- moderation ---------------------------------------------------------------------
    Row("moderation", "GET", {"-": MODERATORS_ONLY_PAGE}),
    Row(
        "moderation_photos",
        "POST",
        each(POSTS, lambda p: MODERATORS_ONLY_FORM),
        data=lambda v: {"ids": [v["photo_id"]], "action": v["action"], "reason": "Sweep"},
    ),
    Row(
        "moderation_appeal",
        "POST",
        {"appeal": MODERATORS_ONLY_FORM},
        data={"decision": "grant", "reason": "OK"},
    ),
    Row("moderation_hashtag", "POST", {"tag": MODERATORS_ONLY_FORM}, data=lambda v: {"hashtag": v["name"]}),
    Row("moderation_model", "POST", {"model": MODERATORS_ONLY_FORM}, data={"reason": "Roll forward"}),
    Row("moderation_plot", "GET", {"model": MODERATORS_ONLY_PAGE}),
    Row("notices", "GET", {"-": page(200)}),
    Row(
        "appeal_create",
        "POST",
        {"pub_post": who(404, anon=LOGIN), "hidden_post": owned("hidden_post", 302, LOGIN)},
        data={"text": "It is my own jacket."},
    ),
    Row("report_photo", "POST", each(POSTS, lambda p: acts(p, 302, LOGIN)), data={"reason": "spam"}),
    Row(
        "report_user",
        "POST",
        {u: page(302, blocked=404) for u in ("pub_user", "priv_user")},
        data={"reason": "spam"},
    ),
    Row("report_hashtag", "POST", {"tag": page(302)}, data={"reason": "spam"}),
    Row(
        "api-report",
        "POST",
        each(POSTS, lambda p: acts(p, 201, 401)),
        data=lambda v: {"photo": v["photo_id"], "reason": "spam"},
    ),
    Row("api-moderation-queue", "GET", {"-": MODERATORS_ONLY_API}),
    Row("api-moderation-photo", "POST", each(POSTS, lambda p: MODERATORS_ONLY_API), data={"reason": "Sweep"}),
    Row(
        "api-moderation-bulk",
        "POST",
        each(POSTS, lambda p: MODERATORS_ONLY_API),
        data=lambda v: {"ids": [v["photo_id"]], "action": v["action"], "reason": "Sweep"},
    ),
    Row("api-appeal-decide", "POST", {"appeal": MODERATORS_ONLY_API}, data={"grant": True, "reason": "OK"}),
    Row(
        "api-appeal",
        "POST",
        {"pub_post": api(404), "hidden_post": owned("hidden_post", 201, 401)},
        data={"text": "It is my own jacket."},
    ),
    # -- chat and translation -------------------------------------------------------------
    Row("inbox", "GET", {"-": page(200)}),
    Row(
        "conversation_start",
        "POST",
        {u: page(302, blocked=404) for u in ("pub_user", "priv_user")},
        data=lambda v: {"participant": v["username"]},
    ),
    Row(
        "conversation",
        "GET",
        {"conv": page(404, pub=200, stranger=200), "blocked_conv": page(404)},
    ),
    Row("api-conversations", "GET", {"-": api(200)}),
    Row(
        "api-conversations",
        "POST",
        {
            "pub_user": api(201, pub=400, stranger=200, blocked=404),
            "priv_user": api(201, priv=400, blocked=404),
        },
        data=lambda v: {"participant": v["username"]},
    ),
    Row("api-messages", "GET", {"conv": api(404, pub=200, stranger=200), "blocked_conv": api(404)}),
    Row(
        "conversation_translation",
        "POST",
        {"conv": page(404, pub=302, stranger=302), "blocked_conv": page(404)},
        data={"enabled": "on"},
    ),
    Row(
        "api-conversation-translation",
        "GET",
        {"conv": api(404, pub=200, stranger=200), "blocked_conv": api(404)},
    ),
    Row(
        "api-conversation-translation",
        "PATCH",
        {"conv": api(404, pub=200, stranger=200), "blocked_conv": api(404)},
        data={"enabled": True},
    ),
    # -- the rest: API docs, language switch ------------------------------------------------
    Row("api-schema", "GET", {"-": who(200)}),
    Row("api-docs", "GET", {"-": who(200)}),
    Row("set_language", "POST", {"-": who(302)}, data={"language": "es"}),
    # -- uploaded files (socialapp/media.py) ------------------------------------------------
    # A public post's and listing's plain URL works for anyone; every other file only with
    # the signed URL that the API hands to someone who may see it ("..._signed": the URL
    # the actor got from the API, 404 when it handed them none).
    Row(
        "media",
        "GET",
        {
            **{name: who(200) for name in ("pub_image", "pub_thumb", "pub_listing_image")},
            **{
                name: who(404)
                for name in (
                    "priv_image",
                    "priv_thumb",
                    "hidden_image",
                    "hidden_thumb",
                    "hidden_listing_image",
                )
            },
            "priv_image_signed": seen("priv_post", 200),
            "priv_thumb_signed": seen("priv_post", 200),
            "hidden_image_signed": seen("hidden_post", 200),
            "hidden_thumb_signed": seen("hidden_post", 200),
            "hidden_listing_image_signed": seen("hidden_listing", 200),
        },
    ),
    # -- admin: staff only (the moderator here is a group member, not staff) ----------------
    Row("admin:index", "GET", {"-": who(403, anon=ADMIN_LOGIN)}),
    Row("admin:accounts_user_changelist", "GET", {"-": who(403, anon=ADMIN_LOGIN)}),
    Row("admin:moderation-queue", "GET", {"-": who(403, anon=ADMIN_LOGIN)}),
    Row("admin/*", "GET", {"-": who(403, anon=ADMIN_LOGIN)}, path="/admin/chat/message/"),
]

# WebSocket routes (socialapp/routing.py): accepted, or refused with close code 4403.
SOCKETS: dict[str, dict[str, dict[str, Any]]] = {
    "ws/notifications/": {"-": who(OPEN, anon=4403)},
    "ws/chat/<int:conversation_id>/": {
        "conv": who(4403, pub=OPEN, stranger=OPEN),
        "blocked_conv": who(4403),
    },
    # The catch-all after the others (socialapp/routing.py): any other path, tried here as
    # "/", is closed with 4404 instead of failing the handshake.
    "": {"-": who(4404)},
}


# -- the URL conf ---------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str | None]]:
    """(route, name) of every pattern, includes resolved, names with their namespace."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            found.append((prefix + str(pattern.pattern), name))
    return found


def _routes() -> dict[str, str]:
    """Row key -> route for every pattern outside the admin. The key is the route's name;
    a name used by two routes gets the route in brackets."""
    patterns = [
        (route, name) for route, name in _walk(get_resolver().url_patterns) if not route.startswith("admin/")
    ]
    names = [name for _route, name in patterns]
    routes = {}
    for route, name in patterns:
        key = name if name and names.count(name) == 1 else f"{name} [{route}]"
        routes[key] = route
    return routes


ROUTES = _routes()


def _url(row: Row, values: dict[str, Any]) -> str:
    if row.path:
        return row.path
    if row.route.startswith("admin:"):
        return reverse(row.route)
    route = ROUTES[row.route]
    if "(?P<" in route or route.startswith("^"):
        params = re.findall(r"\(\?P<(\w+)>", route)
        return reverse(row.route, kwargs={key: values[key] for key in params})
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def _socket_routes() -> list[str]:
    return [str(pattern.pattern) for pattern in websocket_urlpatterns]


def test_every_route_has_a_row_and_every_row_a_route():
    rows = {row.route for row in TABLE}
    admin = [route for route, _name in _walk(get_resolver().url_patterns) if route.startswith("admin/")]

    assert sorted(set(ROUTES) - rows) == []
    assert sorted(rows - set(ROUTES) - {"admin/*", *(r for r in rows if r.startswith("admin:"))}) == []
    assert admin and "admin/*" in rows
    assert sorted(set(_socket_routes()) - set(SOCKETS)) == []
    assert sorted(set(SOCKETS) - set(_socket_routes())) == []


def test_every_row_names_every_actor():
    incomplete = [
        (row.route, row.method, obj)
        for row in TABLE
        for obj, answers in row.expect.items()
        if set(answers) != set(ACTORS)
    ]

    assert incomplete == []


# -- the world ------------------------------------------------------------------------------


@dataclass
class World:
    values: dict[str, dict[str, Any]]  # object -> URL parameters and form values
    sessions: dict[str, str] = field(default_factory=dict)  # actor -> session key
    tokens: dict[str, str] = field(default_factory=dict)  # actor -> API token

    def client(self, actor: str) -> Client:
        """A browser of `actor` with their session cookie and API token (none for anon).
        A fresh one each time: logging out or signing out everywhere changes its cookies."""
        if actor == "anon":
            return Client()
        client = Client(HTTP_AUTHORIZATION=f"Token {self.tokens[actor]}")
        client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[actor]
        return client


def _listing(seller, photo):  # type: ignore[no-untyped-def]
    return listing_create(
        seller=seller,
        photo=photo,
        title="Lamp",
        description="",
        price=Decimal("12"),
        currency="EUR",
        category="home",
    )


def _build() -> World:
    users = {actor: UserFactory(username=name) for actor, name in USERNAMES.items()}
    users["priv"].is_private = True
    users["priv"].save(update_fields=["is_private"])
    pub, priv, stranger, mod = users["pub"], users["priv"], users["stranger"], users["mod"]
    mod.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    reporter = UserFactory(username="reporter")
    Follow.objects.create(follower=users["follower"], followee=priv, status=Follow.Status.ACCEPTED)
    follow_request = follow_create(follower=stranger, followee=priv)

    posts = {
        "pub_post": make_photo(pub, "Sunset #sea"),
        "priv_post": make_photo(priv, "Home #sea"),
        "hidden_post": make_photo(pub, "Jacket #sea"),
    }
    appealed = make_photo(priv, "Counterfeit")
    comments = {
        "pub_post": comment_create(author=stranger, photo=posts["pub_post"], text="Wow"),
        "priv_post": comment_create(author=users["follower"], photo=posts["priv_post"], text="Wow"),
        "hidden_post": comment_create(author=stranger, photo=posts["hidden_post"], text="Wow"),
    }
    concept = Hashtag.objects.get(name="sea").concept
    suggestions = {
        key: suggestion_stored(photo, concept, hashtag="sky", rank=1, model_version="v9")
        for key, photo in posts.items()
    }
    # Failed analyses, so that "retry" is allowed (the tagger itself never runs here).
    Photo.objects.filter(pk__in=[p.pk for p in posts.values()]).update(
        tagging_status=Photo.TaggingStatus.FAILED
    )
    listings = {
        "pub_listing": _listing(pub, posts["pub_post"]),
        "hidden_listing": _listing(pub, posts["hidden_post"]),
    }
    photo_hide(moderator=mod, photo=posts["hidden_post"], reason="Counterfeit")
    photo_hide(moderator=mod, photo=appealed, reason="Counterfeit")
    appeal = appeal_create(owner=priv, photo=appealed, text="It is mine.")
    report_create(reporter=reporter, reason="spam", photo=posts["pub_post"])

    conv, _created = conversation_start(user=pub, other=stranger)
    message_send(conversation=conv, sender=stranger, text="Is the lamp still there?")
    blocked_conv, _created = conversation_start(user=priv, other=users["blocked"])
    message_send(conversation=blocked_conv, sender=users["blocked"], text="Hello again")
    block_create(blocker=priv, blocked=users["blocked"])
    block_create(blocker=pub, blocked=users["blocked"])

    plot = Path(settings.MODELS_DIR) / "v9" / "loss.png"
    plot.parent.mkdir(parents=True, exist_ok=True)
    plot.write_bytes(b"\x89PNG\r\n\x1a\n")
    ModelVersion.objects.create(name="v9", backbone="test", folder="v9", plots=["v9/loss.png"])
    draft = DraftAnalysis.objects.create(owner=pub, status="ready", scores={"sea": 0.9})

    values: dict[str, dict[str, Any]] = {
        "-": {},
        "reset_link": {"uidb64": "MQ", "token": "set-password"},
        "follow_request": {"request_id": follow_request.pk, "decision": "approve"},
        "pub_user": {"username": pub.username},
        "priv_user": {"username": priv.username},
        "blocked_user": {"username": users["blocked"].username},
        "tag": {"name": "sea"},
        "appeal": {"appeal_id": appeal.pk},
        "model": {"name": "v9", "plot": "loss.png"},
        "conv": {"conversation_id": conv.pk},
        "blocked_conv": {"conversation_id": blocked_conv.pk},
        "draft": {"analysis_id": draft.pk},
    }
    for key, photo in posts.items():
        values[key] = {
            "photo_id": photo.pk,
            "comment_id": comments[key].pk,
            "suggestion_id": suggestions[key].pk,
            "decision": "accept",
            "action": "restore" if key == "hidden_post" else "hide",
        }
        prefix = key.removesuffix("_post")
        values[f"{prefix}_image"] = {"name": photo.image.name}
        values[f"{prefix}_thumb"] = {"name": photo.thumbnail_320.name}
        values[f"{prefix}_image_signed"] = {"via": f"/api/photos/{photo.pk}/", "field": "image_url"}
        values[f"{prefix}_thumb_signed"] = {"via": f"/api/photos/{photo.pk}/", "field": "thumbnail_url"}
    for key, listing in listings.items():
        values[key] = {"listing_id": listing.pk}
        values[f"{key}_image"] = {"name": listing.image.name}
        values[f"{key}_image_signed"] = {"via": f"/api/listings/{listing.pk}/", "field": "image_url"}

    world = World(values=values)
    for actor, user in users.items():
        world.tokens[actor] = Token.objects.create(user=user).key
        browser = Client()
        browser.force_login(user)
        world.sessions[actor] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Built once, inside a transaction rolled back after the module; each test's own
    # savepoint (the `db` fixture) undoes what its request changed.
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# -- the sweep ------------------------------------------------------------------------------


def _cases() -> list[Any]:
    return [
        pytest.param(row, obj, actor, id=f"{row.route} {row.method} {obj} {actor}")
        for row in TABLE
        for obj, answers in row.expect.items()
        for actor in answers
    ]


def _send(client: Client, method: str, url: str, data: dict[str, Any] | None) -> Any:
    if method == "GET":
        return client.get(url, data or {})
    if method == "POST" and (
        not url.startswith("/api/") or any(hasattr(v, "read") for v in (data or {}).values())
    ):
        return client.post(url, data or {})
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json")


def _closed(response: Any) -> Any:
    """Close a file the response holds open. Not response.close(): that sends
    request_finished, whose close_old_connections would end the world's transaction on
    PostgreSQL (the test client only shields its own call)."""
    for closable in getattr(response, "_resource_closers", []):
        closable()
    return response


def _outcome(response: Any) -> Any:
    """The status, or LOGIN / ADMIN_LOGIN for a redirect to a login page."""
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith("/login/?next="):
        return LOGIN
    if response.status_code == 302 and location.startswith("/admin/login/?next="):
        return ADMIN_LOGIN
    return response.status_code


def _signed_media(client: Client, values: dict[str, Any]) -> Any:
    """Fetch the file through the URL the API hands this actor; 404 when it hands none."""
    handed = client.get(values["via"])
    if handed.status_code != 200:
        return 404
    url = urlsplit(handed.json()[values["field"]])
    assert "signature=" in url.query  # a private or hidden file never gets a plain URL
    return _closed(client.get(f"{url.path}?{url.query}")).status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "obj", "actor"), _cases())
def test_authorization(world, row, obj, actor):
    values = world.values[obj]
    client = world.client(actor)
    data = row.data(values) if callable(row.data) else row.data

    if "via" in values:
        url = f"the file at {values['field']} of {values['via']}"
        outcome = _signed_media(client, values)
    else:
        url = _url(row, values)
        response = _send(client, row.method, url, data)
        outcome = _outcome(response)
        if row.zip and outcome == 200:
            assert response["Content-Type"] == "application/zip"
        _closed(response)

    expected = row.expect[obj][actor]
    assert outcome == expected, f"{row.method} {url} as {actor}: {outcome}, expected {expected}"


# -- WebSockets -----------------------------------------------------------------------------


def _socket_cases() -> list[Any]:
    return [
        pytest.param(route, obj, actor, id=f"{route} {obj} {actor}")
        for route, objects in SOCKETS.items()
        for obj, answers in objects.items()
        for actor in answers
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "obj", "actor"), _socket_cases())
def test_socket_authorization(world, monkeypatch, route, obj, actor):
    from socialapp.asgi import application

    # channels and the consumers close "old" connections around database calls; inside
    # this test's transaction (where the world is) that would end it on PostgreSQL.
    monkeypatch.setattr(type(connections["default"]), "close_if_unusable_or_obsolete", lambda self: None)

    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(world.values[obj][m.group(1)]), route)
    if actor == "anon":
        headers = [(b"origin", b"http://localhost")]
    else:
        headers = [(b"authorization", f"Token {world.tokens[actor]}".encode())]

    # async_to_sync from this thread runs the consumer's database calls on this thread, in
    # this test's transaction, where the world is.
    async def connect() -> Any:
        communicator = WebsocketCommunicator(application, path, headers=headers)
        accepted, code = await communicator.connect()
        if accepted:
            await communicator.disconnect()
            return OPEN
        return code

    outcome, expected = async_to_sync(connect)(), SOCKETS[route][obj][actor]
    assert outcome == expected, f"{path} as {actor}: {outcome}, expected {expected}"
