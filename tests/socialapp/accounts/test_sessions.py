"""API tokens expire; a password change or "sign out everywhere" ends every other session
and revokes every API token, while the session that asked stays signed in."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from socialapp.accounts import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

EXPIRED = {"detail": "Your token has expired; sign in again."}
INVALID = {"detail": "Invalid token."}
NEW_PASSWORD = "brand-new-pass-1"


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/settings/").status_code == 200


def _token_aged(user, days: int) -> Token:
    token = Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=days))
    return token


@override_settings(API_TOKEN_TTL_DAYS=30)
def test_a_token_older_than_the_ttl_is_refused_and_deleted(user):
    token = _token_aged(user, days=31)

    response = _token_client(token.key).get("/api/me/")

    assert (response.status_code, response.json()) == (401, EXPIRED)
    assert Token.objects.count() == 0


@override_settings(API_TOKEN_TTL_DAYS=30)
def test_a_token_younger_than_the_ttl_works(user):
    token = _token_aged(user, days=29)

    assert _token_client(token.key).get("/api/me/").status_code == 200


@override_settings(API_TOKEN_TTL_DAYS=0)
def test_a_ttl_of_zero_days_keeps_tokens_forever(user):
    token = _token_aged(user, days=3650)

    assert _token_client(token.key).get("/api/me/").status_code == 200


@override_settings(API_TOKEN_TTL_DAYS=30)
def test_signing_in_replaces_an_expired_token(api_client, user):
    old = _token_aged(user, days=31)

    response = api_client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})

    new = Token.objects.get(user=user)
    assert (response.status_code, response.json()) == (200, {"token": new.key})
    assert new.key != old.key
    assert _token_client(new.key).get("/api/me/").status_code == 200


def test_password_change_via_the_api_revokes_tokens_and_other_sessions(user):
    token = Token.objects.create(user=user)
    elsewhere = _browser(user)

    response = _token_client(token.key).post(
        "/api/me/password/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    old_token = _token_client(token.key).get("/api/me/")
    assert (old_token.status_code, old_token.json()) == (401, INVALID)
    assert Token.objects.count() == 0
    assert _signed_in(elsewhere) is False


def test_password_change_via_the_api_from_a_browser_keeps_that_browser_signed_in(user):
    browser, elsewhere = _browser(user), _browser(user)

    response = browser.post(
        "/api/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 204
    assert (_signed_in(browser), _signed_in(elsewhere)) == (True, False)


def test_password_change_page_revokes_tokens_and_other_sessions_but_keeps_this_one(user):
    token = Token.objects.create(user=user)
    browser, elsewhere = _browser(user), _browser(user)

    response = browser.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, "/password/change/done/")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert (_signed_in(browser), _signed_in(elsewhere)) == (True, False)
    assert _token_client(token.key).get("/api/me/").status_code == 401


def test_password_change_page_with_a_wrong_old_password_changes_nothing(user):
    token = Token.objects.create(user=user)
    browser = _browser(user)

    response = browser.post(
        "/password/change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    assert Token.objects.get().key == token.key


def test_password_reset_revokes_tokens(client, user):
    token = Token.objects.create(user=user)
    client.post("/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/password/reset/done/")
    assert _token_client(token.key).get("/api/me/").status_code == 401
    assert Token.objects.count() == 0


def test_sign_out_everywhere_via_the_api_revokes_everything_and_returns_a_new_token(user):
    old = Token.objects.create(user=user)
    elsewhere = _browser(user)

    response = _token_client(old.key).post("/api/me/sign-out-everywhere/")

    new = Token.objects.get(user=user)
    assert (response.status_code, response.json()) == (200, {"token": new.key})
    assert new.key != old.key
    assert _token_client(old.key).get("/api/me/").status_code == 401
    assert _token_client(new.key).get("/api/me/").status_code == 200
    assert _signed_in(elsewhere) is False


def test_sign_out_everywhere_via_the_api_from_a_browser_keeps_that_browser(user):
    browser, elsewhere = _browser(user), _browser(user)

    response = browser.post("/api/me/sign-out-everywhere/")

    assert response.status_code == 200
    assert (_signed_in(browser), _signed_in(elsewhere)) == (True, False)


def test_sign_out_everywhere_page_ends_other_sessions_and_tokens_and_keeps_this_one(user):
    token = Token.objects.create(user=user)
    browser, elsewhere = _browser(user), _browser(user)

    response = browser.post("/settings/sign-out-everywhere/", follow=True)

    assert response.redirect_chain == [("/settings/", 302)]
    assert (
        "You are signed out on every other device, and API tokens are revoked." in response.content.decode()
    )
    assert (_signed_in(browser), _signed_in(elsewhere)) == (True, False)
    assert _token_client(token.key).get("/api/me/").status_code == 401
    assert Token.objects.count() == 0
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_sign_out_everywhere_page_takes_only_post(user):
    browser = _browser(user)

    assert browser.get("/settings/sign-out-everywhere/").status_code == 405
    assert _signed_in(browser)


def test_settings_page_offers_to_sign_out_everywhere(user):
    page = _browser(user).get("/settings/")

    assert 'action="/settings/sign-out-everywhere/"' in page.content.decode()
    assert "Sign out of all other devices" in page.content.decode()


def test_sessions_from_before_any_sign_out_keep_djangos_own_hash(user):
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)


def test_a_session_signed_with_a_fallback_secret_key_survives_rotation_but_not_sign_out(user):
    services.user_sign_out_everywhere(user=user)
    with override_settings(SECRET_KEY="old-secret-key"):
        old_hash = user.get_session_auth_hash()

    with override_settings(SECRET_KEY="new-secret-key", SECRET_KEY_FALLBACKS=["old-secret-key"]):
        before = list(user.get_session_auth_fallback_hash())
        services.user_sign_out_everywhere(user=user)
        after = list(user.get_session_auth_fallback_hash())

    assert (old_hash in before, old_hash in after) == (True, False)
