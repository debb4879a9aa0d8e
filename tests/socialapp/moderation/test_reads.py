"""Moderation's pages read through its selectors."""

import pytest
from django.http import Http404

from socialapp.moderation import selectors
from socialapp.photos.models import Photo
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db


def test_the_bulk_action_takes_hidden_posts_and_leaves_out_unknown_ids():
    shown, hidden = make_photo(UserFactory(), "#sea"), make_photo(UserFactory(), "#sea")
    Photo.objects.filter(pk=hidden.pk).update(is_hidden=True)

    found = selectors.photos_for_moderation(photo_ids=[shown.pk, hidden.pk, hidden.pk + 1000])

    assert sorted(photo.pk for photo in found) == [shown.pk, hidden.pk]


@pytest.mark.parametrize("lookup", [selectors.model_version_get, selectors.model_plot_get])
def test_an_unknown_model_version_is_404(lookup):
    arguments = {"name": "no-such-version"} | (
        {"plot": "loss.png"} if lookup is selectors.model_plot_get else {}
    )

    with pytest.raises(Http404):
        lookup(**arguments)
