import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from socialapp.accounts import services
from socialapp.accounts.models import Follow, User
from tests.factories import PASSWORD, UserFactory, client_for

pytestmark = pytest.mark.django_db


def test_register_returns_201_with_the_new_account(api_client):
    response = api_client.post(
        "/api/auth/register/",
        {"username": "lucia", "password": "una-clave-larga-9", "email": "l@example.com", "language": "es"},
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {
        "id": user.pk,
        "username": "lucia",
        "email": "l@example.com",
        "display_name": "",
        "bio": "",
        "avatar": None,
        "language": "es",
        "is_private": False,
        "training_consent": False,
    }


def test_register_with_taken_username_is_400_with_detail(api_client):
    UserFactory(username="lucia")

    response = api_client.post(
        "/api/auth/register/", {"username": "LUCIA", "password": "una-clave-larga-9"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "That username is taken; choose another."}
    assert User.objects.count() == 1


def test_register_with_missing_password_names_the_field(api_client):
    response = api_client.post("/api/auth/register/", {"username": "lucia"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "password: This field is required.",
        "fields": {"password": ["This field is required."]},
    }
    assert User.objects.count() == 0


def test_register_with_unknown_language_is_400(api_client):
    response = api_client.post(
        "/api/auth/register/",
        {"username": "lucia", "password": "una-clave-larga-9", "language": "fr"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == 'language: "fr" is not a valid choice.'


def test_token_then_authenticated_request(api_client, user):
    response = api_client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=user).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/me/").json()["username"] == user.username


def test_token_with_wrong_password_is_400(api_client, user):
    response = api_client.post("/api/auth/token/", {"username": user.username, "password": "nope"})

    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to log in with the username and password given."}


def test_logout_deletes_the_token(api_client, user):
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api_client.delete("/api/auth/logout/").status_code == 204

    response = api_client.get("/api/me/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_me_without_credentials_is_401(api_client):
    response = api_client.get("/api/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_me_patch_updates_profile_and_consent(auth_client, user):
    response = auth_client.patch(
        "/api/me/",
        {"display_name": "Lu", "language": "es", "is_private": True, "training_consent": True},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["language"], body["is_private"], body["training_consent"]) == (
        "Lu",
        "es",
        True,
        True,
    )
    user.refresh_from_db()
    assert user.is_private is True


def test_me_patch_with_a_file_that_is_not_an_image_is_400(auth_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = auth_client.patch(
        "/api/me/", {"avatar": SimpleUploadedFile("x.jpg", b"not an image")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo."
    }
    user.refresh_from_db()
    assert user.avatar.name == ""


def test_me_with_an_avatar_answers_its_url(auth_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import jpeg_bytes

    # given an avatar uploaded through the API
    uploaded = auth_client.patch(
        "/api/me/", {"avatar": SimpleUploadedFile("me.jpg", jpeg_bytes())}, format="multipart"
    )

    # when the account is read back
    response = auth_client.get("/api/me/")

    # then both answers carry the avatar's absolute URL
    user.refresh_from_db()
    url = f"http://testserver/media/{user.avatar.name}"
    assert (uploaded.status_code, uploaded.json()["avatar"]) == (200, url)
    assert (response.status_code, response.json()["avatar"]) == (200, url)


def test_password_change(auth_client, user):
    response = auth_client.post(
        "/api/me/password/", {"old_password": PASSWORD, "new_password": "brand-new-pass-1"}
    )

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-1")


def test_password_change_with_wrong_old_password_is_400(auth_client, user):
    response = auth_client.post(
        "/api/me/password/", {"old_password": "x", "new_password": "brand-new-pass-1"}
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Your old password was entered incorrectly."}


def test_password_reset_mails_a_link_and_never_says_whether_the_address_exists(api_client, user):
    known = api_client.post("/api/auth/password-reset/", {"email": user.email})
    unknown = api_client.post("/api/auth/password-reset/", {"email": "nobody@example.com"})

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "/password/reset/" in mail.outbox[0].body


def test_account_delete_requires_the_password(auth_client, user):
    wrong = auth_client.delete("/api/me/", {"password": "nope"}, format="json")
    right = auth_client.delete("/api/me/", {"password": PASSWORD}, format="json")

    assert (wrong.status_code, wrong.json()) == (400, {"detail": "The password is not correct."})
    assert right.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_profile_of_a_private_account_shows_counts_and_follow_status(api_client):
    owner = UserFactory(username="carla", is_private=True, display_name="Carla")
    fan = UserFactory()
    services.follow_create(follower=fan, followee=owner)

    response = client_for(fan).get("/api/users/carla/")

    assert response.status_code == 200
    assert response.json() == {
        "username": "carla",
        "display_name": "Carla",
        "bio": "",
        "avatar": None,
        "is_private": True,
        "followers_count": 0,
        "following_count": 0,
        "follow_status": "pending",
    }


def test_unknown_profile_is_404(api_client):
    response = api_client.get("/api/users/ghost/")

    assert (response.status_code, response.json()) == (404, {"detail": "No such user."})


def test_blocked_user_gets_404_for_the_blocker_profile_and_cannot_follow():
    alice, bob = UserFactory(username="alice"), UserFactory()
    services.block_create(blocker=alice, blocked=bob)
    client = client_for(bob)

    assert client.get("/api/users/alice/").status_code == 404
    assert client.post("/api/users/alice/follow/").status_code == 404
    assert Follow.objects.count() == 0


def test_follow_and_unfollow(auth_client):
    UserFactory(username="bruno")

    followed = auth_client.post("/api/users/bruno/follow/")
    unfollowed = auth_client.delete("/api/users/bruno/follow/")
    again = auth_client.delete("/api/users/bruno/follow/")

    assert (followed.status_code, followed.json()) == (201, {"username": "bruno", "status": "accepted"})
    assert unfollowed.status_code == 204
    assert (again.status_code, again.json()) == (404, {"detail": "You do not follow this account."})


def test_follow_yourself_is_400(auth_client, user):
    response = auth_client.post(f"/api/users/{user.username}/follow/")

    assert (response.status_code, response.json()) == (400, {"detail": "You cannot follow yourself."})


def test_follow_requests_list_approve_decline():
    owner = UserFactory(is_private=True)
    first, second = UserFactory(username="first"), UserFactory(username="second")
    request_1 = services.follow_create(follower=first, followee=owner)
    request_2 = services.follow_create(follower=second, followee=owner)
    client = client_for(owner)

    listed = client.get("/api/me/follow-requests/")
    approved = client.post(f"/api/me/follow-requests/{request_1.pk}/approve/")
    declined = client.post(f"/api/me/follow-requests/{request_2.pk}/decline/")

    assert listed.status_code == 200
    assert [(r["id"], r["username"]) for r in listed.json()["results"]] == [
        (request_1.pk, "first"),
        (request_2.pk, "second"),
    ]
    assert listed.json()["count"] == 2
    assert (approved.status_code, approved.json()["username"]) == (200, "first")
    assert declined.status_code == 204
    assert list(Follow.objects.values_list("follower__username", "status")) == [("first", "accepted")]


def test_someone_elses_follow_request_is_404():
    owner, stranger = UserFactory(is_private=True), UserFactory()
    follow_request = services.follow_create(follower=UserFactory(), followee=owner)

    response = client_for(stranger).post(f"/api/me/follow-requests/{follow_request.pk}/approve/")

    assert (response.status_code, response.json()) == (404, {"detail": "No such follow request."})
    assert Follow.objects.get().status == "pending"


def test_block_and_unblock(auth_client):
    UserFactory(username="bruno")

    blocked = auth_client.post("/api/users/bruno/block/")
    unblocked = auth_client.delete("/api/users/bruno/block/")
    again = auth_client.delete("/api/users/bruno/block/")

    assert (blocked.status_code, blocked.json()) == (201, {"username": "bruno", "blocked": True})
    assert unblocked.status_code == 204
    assert (again.status_code, again.json()) == (404, {"detail": "You have not blocked this account."})


def test_login_attempts_are_throttled(api_client, user, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "3/min")

    statuses = [
        api_client.post("/api/auth/token/", {"username": user.username, "password": "x"}).status_code
        for _ in range(4)
    ]

    assert statuses == [400, 400, 400, 429]
    last = api_client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    assert last.json()["detail"].startswith("Request was throttled.")


def test_openapi_schema_and_docs_are_served_offline(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = api_client.get("/api/docs/")

    assert schema.status_code == 200
    assert "/api/auth/register/" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"https://" not in docs.content.split(b"<body")[0]


@pytest.mark.parametrize("accept_language", [None, "en-GB,en;q=0.9"])
def test_a_token_client_is_answered_in_its_accounts_language(api_client, accept_language):
    # As pages are for a signed-in person: the account's language, whatever the device says.
    token = Token.objects.create(user=UserFactory(language="es"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}

    response = api_client.get("/api/users/ghost/", **headers)

    assert (response.status_code, response.json()) == (404, {"detail": "Esa cuenta no existe."})
    assert response.headers["Content-Language"] == "es"
    assert translation.get_language() == settings.LANGUAGE_CODE  # only for that request
