"""Every form control on the main pages has a label a screen reader announces (a
placeholder is not one: it disappears as soon as someone types)."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group

from socialapp.moderation.services import appeal_create, photo_hide, report_create
from tagging.models import ModelVersion
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        elif tag in ("input", "select", "textarea") and attributes.get("type") not in UNLABELLED_TYPES:
            self.controls.append({**attributes, "_tag": tag, "_wrapped": "yes" if self.label_depth else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


def unlabelled(html: str) -> list[str]:
    parser = _Controls()
    parser.feed(html)
    return [
        f"<{c['_tag']} name={c.get('name')}>"
        for c in parser.controls
        if not (
            c["_wrapped"]
            or c.get("aria-label")
            or c.get("aria-labelledby")
            or c.get("id") in parser.label_for
        )
    ]


def _moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


def test_post_page_controls_are_labelled_for_owner_and_visitor(client):
    owner = UserFactory()
    photo = make_photo(owner, "#sea")
    client.force_login(owner)
    as_owner = client.get(f"/p/{photo.pk}/").content.decode()
    client.force_login(UserFactory())
    as_other = client.get(f"/p/{photo.pk}/").content.decode()

    assert unlabelled(as_owner) == []
    assert unlabelled(as_other) == []


def test_moderation_page_controls_are_labelled(client):
    moderator = _moderator()
    reported, hidden = make_photo(UserFactory(), "#sea"), make_photo(UserFactory(), "#sea")
    report_create(reporter=UserFactory(), reason="spam", photo=reported)
    photo_hide(moderator=moderator, photo=hidden, reason="Spam")
    appeal_create(owner=hidden.owner, photo=hidden, text="Mine")
    ModelVersion.objects.create(name="v1", backbone="b", folder="versions/v1")
    client.force_login(moderator)

    assert unlabelled(client.get("/moderation/").content.decode()) == []


def test_notices_hashtag_search_and_shop_controls_are_labelled(client):
    owner = UserFactory()
    photo = make_photo(owner, "#sea")
    photo_hide(moderator=_moderator(), photo=photo, reason="Spam")
    client.force_login(owner)

    pages = {
        path: client.get(path).content.decode()
        for path in ("/notices/", "/tags/sea/", "/search/", "/shop/", "/shop/new/", "/")
    }

    assert {path: unlabelled(html) for path, html in pages.items()} == {path: [] for path in pages}


def test_account_and_upload_pages_controls_are_labelled(client):
    visitor_pages = {
        path: client.get(path).content.decode() for path in ("/login/", "/signup/", "/password/reset/")
    }
    me = UserFactory(username="me")
    UserFactory(username="other")  # someone else's profile has the report form
    client.force_login(me)
    signed_in = ("/settings/", "/p/new/", "/u/me/", "/u/other/", "/password/change/", "/messages/")
    pages = visitor_pages | {path: client.get(path).content.decode() for path in signed_in}

    assert {path: unlabelled(html) for path, html in pages.items()} == {path: [] for path in pages}
