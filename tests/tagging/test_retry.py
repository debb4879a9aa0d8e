"""When an analysis may be retried is decided once, in services.photo_tagging_retry,
on the stored row; the page, the API and the admin action all ask it and say why not."""

import pytest
from django.contrib.messages import get_messages

from socialapp.photos.models import Photo
from tagging import services
from tests.factories import UserFactory, client_for, make_photo

pytestmark = pytest.mark.django_db
Status = Photo.TaggingStatus
REFUSED = "The analysis is ready; only a failed or stuck one can be retried."


def _photo(status: str) -> Photo:
    photo = make_photo(UserFactory(), "#sea")
    Photo.objects.filter(pk=photo.pk).update(tagging_status=status, tagging_reason="")
    photo.refresh_from_db()
    return photo


def test_a_retry_goes_by_the_stored_analysis_not_the_callers_old_copy(django_capture_on_commit_callbacks):
    photo = _photo(Status.FAILED)
    page_copy = Photo.objects.get(pk=photo.pk)  # the owner's page, still saying "failed"
    Photo.objects.filter(pk=photo.pk).update(tagging_status=Status.READY)  # another tab retried it

    with django_capture_on_commit_callbacks() as queued, pytest.raises(services.NotRetryable) as refused:
        services.photo_tagging_retry(photo=page_copy)

    photo.refresh_from_db()
    assert (refused.value.detail, photo.tagging_status, len(queued)) == (REFUSED, Status.READY, 0)


def test_the_admin_action_refuses_a_fresh_analysis(admin_client, django_capture_on_commit_callbacks):
    photo = _photo(Status.READY)

    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(
            "/admin/photos/photo/", {"action": "retry_tagging", "_selected_action": [photo.pk]}, follow=True
        )

    photo.refresh_from_db()
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Queued 0 photos for analysis.", f"Not retried: {photo}: {REFUSED}"]
    assert (photo.tagging_status, len(queued)) == (Status.READY, 0)


def test_the_page_says_why_a_fresh_analysis_was_not_retried(client):
    photo = _photo(Status.READY)
    client.force_login(photo.owner)

    response = client.post(f"/p/{photo.pk}/suggestions/retry/", follow=True)

    assert [str(message) for message in get_messages(response.wsgi_request)] == [REFUSED]
    assert REFUSED in response.content.decode()


def test_the_api_answers_409_with_the_reason():
    photo = _photo(Status.READY)

    response = client_for(photo.owner).post(f"/api/photos/{photo.pk}/suggestions/retry/")

    assert (response.status_code, response.json()) == (409, {"detail": REFUSED})
