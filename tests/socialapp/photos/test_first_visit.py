"""What a visitor sees first: public photos to explore and people to follow, with
Follow buttons, and never staff accounts."""

import pytest

from socialapp.accounts.models import Follow
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db


def test_logged_out_home_shows_an_explore_grid_of_public_photos_only(client):
    public = make_photo(UserFactory(), "#sea")
    private = make_photo(UserFactory(is_private=True), "#sea")
    hidden = make_photo(UserFactory(), "#sea")
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])

    page = client.get("/").content.decode()

    assert f'href="/p/{public.pk}/"' in page
    assert f'href="/p/{private.pk}/"' not in page and f'href="/p/{hidden.pk}/"' not in page


def test_logged_out_home_suggests_people_with_follow_buttons_and_never_staff(client):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    UserFactory(username="root", is_superuser=True)
    ana = UserFactory(username="ana")
    make_photo(ana)

    page = client.get("/").content.decode()

    people = page.split("People to follow")[1]
    assert 'href="/u/ana/"' in people
    assert "/u/admin/" not in people and "/u/root/" not in people
    assert 'href="/login/?next=/u/ana/"' in people  # Follow, for a visitor: sign in first


def test_signed_in_suggestions_skip_staff_and_follow_from_the_home_page(client):
    me = UserFactory()
    UserFactory(username="admin", is_staff=True)
    ana = UserFactory(username="ana")
    client.force_login(me)

    page = client.get("/").content.decode()
    response = client.post("/u/ana/follow/", {"next": "/"})

    assert "/u/admin/" not in page.split("People to follow")[1]
    assert '<form method="post" action="/u/ana/follow/"' in page
    assert (response.status_code, response.url) == (302, "/")
    assert Follow.objects.filter(follower=me, followee=ana).exists()
