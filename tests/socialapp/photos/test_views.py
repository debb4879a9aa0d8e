from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.accounts import services as account_services
from socialapp.photos.models import Comment, Like, Photo
from tests.factories import PASSWORD, UserFactory, make_photo
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_upload_page_publishes_and_redirects_to_the_post(client):
    client.force_login(UserFactory())

    response = client.post(
        "/p/new/", {"image": SimpleUploadedFile("x.jpg", jpeg_bytes()), "caption": "Hola #mar"}
    )

    photo = Photo.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/p/{photo.pk}/")
    page = client.get(f"/p/{photo.pk}/").content.decode()
    assert '<a href="/tags/mar/">#mar</a>' in page


def test_post_page_shows_hashtags_as_typed_and_links_them_to_their_canonical_page(client):
    owner = UserFactory()
    photo = make_photo(owner, "New gear #electronics #Tools")
    client.force_login(owner)

    page = client.get(f"/p/{photo.pk}/").content.decode()

    assert '<a class="chip" href="/tags/electronics/">#electronics</a>' in page
    assert '<a class="chip" href="/tags/tools/">#Tools</a>' in page
    assert "#electronic<" not in page


def test_upload_page_has_a_preview_a_progress_bar_and_caption_hashtag_completion(client):
    client.force_login(UserFactory())

    page = client.get("/p/new/").content.decode()

    assert '<form method="post" enctype="multipart/form-data" class="card" data-upload' in page
    assert 'data-role="preview"' in page and "<progress" in page
    assert 'data-hashtag-autocomplete="caption"' in page
    assert '<script src="/static/js/upload.js" defer></script>' in page


def test_upload_page_shows_what_to_fix(client):
    client.force_login(UserFactory())

    response = client.post("/p/new/", {"image": SimpleUploadedFile("x.jpg", b"text"), "caption": ""})

    assert response.status_code == 400
    assert "The file is not an image we can read" in response.content.decode()
    assert Photo.objects.count() == 0


def test_feed_shows_followed_posts(client):
    me, friend = UserFactory(), UserFactory(username="friend")
    account_services.follow_create(follower=me, followee=friend)
    make_photo(friend, "Sunset at the #beach")
    client.force_login(me)

    page = client.get("/").content.decode()

    assert "friend" in page
    assert "Sunset at the" in page


def test_private_post_page_is_404_for_strangers_and_visitors(client):
    photo = make_photo(UserFactory(is_private=True), "#secret")

    assert client.get(f"/p/{photo.pk}/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/p/{photo.pk}/").status_code == 404
    assert client.post(f"/p/{photo.pk}/like/").status_code == 404
    assert client.post(f"/p/{photo.pk}/comments/", {"text": "hi"}).status_code == 404
    assert (Like.objects.count(), Comment.objects.count()) == (0, 0)


def test_profile_grid_and_private_notice(client):
    public, private = UserFactory(username="pub"), UserFactory(username="priv", is_private=True)
    shown = make_photo(public, "#sea")
    hidden = make_photo(private, "#sea")

    public_page = client.get("/u/pub/").content.decode()
    private_page = client.get("/u/priv/").content.decode()

    assert f"/p/{shown.pk}/" in public_page
    assert f"/p/{hidden.pk}/" not in private_page
    assert "This account is private. Follow it to see its photos." in private_page


def test_hashtag_page_lists_visible_posts_of_every_alias(client):
    owner = UserFactory()
    perro = make_photo(owner, "#perros")
    dog = make_photo(owner, "#dog")
    secret = make_photo(UserFactory(is_private=True), "#dog")

    page = client.get("/tags/dog/").content.decode()

    assert f"/p/{perro.pk}/" in page and f"/p/{dog.pk}/" in page
    assert f"/p/{secret.pk}/" not in page


def test_like_comment_and_delete_from_the_page(client):
    owner, fan = UserFactory(), UserFactory()
    photo = make_photo(owner, "#sea")
    client.force_login(fan)

    client.post(f"/p/{photo.pk}/like/")
    client.post(f"/p/{photo.pk}/comments/", {"text": "¡Precioso!"})
    comment = Comment.objects.get()
    client.force_login(owner)
    client.post(f"/p/{photo.pk}/comments/{comment.pk}/delete/")

    assert Like.objects.filter(user=fan, photo=photo).count() == 1
    assert Comment.objects.count() == 0


def test_owner_edits_and_deletes_from_the_page(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    photo = make_photo(owner, "#sea")
    client.force_login(owner)

    client.post(f"/p/{photo.pk}/edit/", {"caption": "#boats"})
    photo.refresh_from_db()
    assert [h.name for h in photo.hashtags.all()] == ["boat"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/{photo.pk}/delete/")

    assert response.status_code == 302
    assert Photo.objects.count() == 0


def test_account_deletion_removes_photo_files(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    photo = make_photo(owner, "#sea")
    files = [Path(settings.MEDIA_ROOT) / name for _, name in photo.image_files()]
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/settings/delete/", {"password": PASSWORD})

    assert Photo.objects.count() == 0
    assert not any(f.exists() for f in files)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
    ],
)
def test_like_never_redirects_off_the_site(client, next_url):
    photo = make_photo(UserFactory(), "#sea")
    client.force_login(UserFactory())

    response = client.post(f"/p/{photo.pk}/like/", {"next": next_url})

    assert (response.status_code, response["Location"]) == (302, f"/p/{photo.pk}/")
    assert Like.objects.count() == 1


def test_like_goes_back_to_a_page_on_this_site(client):
    photo = make_photo(UserFactory(), "#sea")
    client.force_login(UserFactory())

    response = client.post(f"/p/{photo.pk}/like/", {"next": f"/feed/?page=2#post-{photo.pk}"})

    assert (response.status_code, response["Location"]) == (302, f"/feed/?page=2#post-{photo.pk}")


def test_profile_says_how_many_posts_as_instagram_does_private_ones_too(client):
    # The profile said "3 followers · 4 following" and nothing of the posts: Instagram's
    # first count. A private account's count shows to everyone, its posts do not; a post
    # a moderator hid counts for its owner alone.
    public, private = UserFactory(username="pub"), UserFactory(username="priv", is_private=True)
    make_photo(public, "#sea")
    hidden = make_photo(public, "#sea")
    Photo.objects.filter(pk=hidden.pk).update(is_hidden=True)
    for _ in range(3):
        make_photo(private)

    assert "<span>1 post</span> ·" in client.get("/u/pub/").content.decode()
    assert "<span>3 posts</span> ·" in client.get("/u/priv/").content.decode()
    client.force_login(public)
    assert "<span>2 posts</span> ·" in client.get("/u/pub/").content.decode()
    public.language = "es"
    public.save()
    assert "<span>2 publicaciones</span> ·" in client.get("/u/pub/").content.decode()


def test_a_posts_age_reads_in_one_unit_as_on_instagram(client):
    # "3 weeks, 6 days ago" under a post: Instagram says "3 weeks ago".
    from datetime import timedelta

    from django.utils import timezone

    owner = UserFactory(username="pub")
    photo = make_photo(owner, "#sea")
    Photo.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(days=27, hours=5))

    page = client.get(f"/p/{photo.pk}/").content.decode()

    assert ">3\xa0weeks ago</time>" in page
    owner.language = "es"
    owner.save()
    client.force_login(owner)
    assert ">hace 3\xa0semanas</time>" in client.get(f"/p/{photo.pk}/").content.decode()


def test_the_post_page_shows_its_comments_without_a_link_to_itself(client):
    # "View 1 comment" on the post's own page led to the page already open, above the
    # comment it meant.
    owner = UserFactory(username="pub")
    photo = make_photo(owner, "#sea")
    account_services.follow_create(follower=UserFactory(), followee=owner)
    from socialapp.photos.services import comment_create

    comment_create(author=owner, photo=photo, text="First!")
    client.force_login(owner)

    page = client.get(f"/p/{photo.pk}/").content.decode()
    feed = client.get("/").content.decode()

    assert "View 1 comment" not in page and "First!" in page
    assert "View 1 comment" in feed
