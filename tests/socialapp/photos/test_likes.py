"""The like toggle is one service that the page's button calls (the API likes and
unlikes with like_create and like_delete)."""

import pytest

from socialapp.notifications.models import Notification
from socialapp.photos import selectors, services
from socialapp.photos.models import Like
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db


def test_toggling_likes_then_unlikes_and_the_owner_hears_of_it_once():
    owner, fan = UserFactory(), UserFactory()
    photo = make_photo(owner, "#sea")

    liked = services.like_toggle(user=fan, photo=photo)
    notices = Notification.objects.filter(recipient=owner, kind=Notification.Kind.LIKE).count()
    unliked = services.like_toggle(user=fan, photo=photo)

    assert (liked, notices, unliked) == (True, 1, False)
    assert Like.objects.count() == 0


def test_toggling_goes_by_the_stored_like_not_by_what_the_page_showed():
    owner, fan = UserFactory(), UserFactory()
    photo = make_photo(owner, "#sea")
    shown = selectors.photo_get_visible(viewer=fan, photo_id=photo.pk)  # shown as not liked
    services.like_create(user=fan, photo=photo)  # then liked in another tab

    liked = services.like_toggle(user=fan, photo=shown)

    assert (shown.liked, liked, Like.objects.count()) == (False, False, 0)


def test_the_page_button_toggles_through_the_service(client):
    owner, fan = UserFactory(), UserFactory()
    photo = make_photo(owner, "#sea")
    client.force_login(fan)

    client.post(f"/p/{photo.pk}/like/")
    after_one = Like.objects.filter(user=fan, photo=photo).count()
    client.post(f"/p/{photo.pk}/like/")

    assert (after_one, Like.objects.count()) == (1, 0)
