"""Password guessing and mass sign-up are limited per account and per client address.

The address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says how many proxies in front of
the site append to X-Forwarded-For, so a client cannot pick its own address."""

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from socialapp.accounts.models import User
from socialapp.client_address import client_address
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_three_failures_lock_for_fifteen_minutes"),
]

LOCKED = "Too many failed sign-ins; try again in 15 minutes."
SIGNUPS = "Too many sign-ups from your address; try again in 60 minutes."


@pytest.fixture
def _three_failures_lock_for_fifteen_minutes():
    with override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=timedelta(minutes=15)):
        yield


def _token(client, username, password, **headers):
    return client.post("/api/auth/token/", {"username": username, "password": password}, **headers)


def test_api_forged_forwarded_for_does_not_buy_more_guesses(api_client, user):
    wrong = [
        _token(api_client, user.username, "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(3)
    ]
    right = _token(api_client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert [r.status_code for r in wrong] == [400, 400, 429]
    assert (right.status_code, right.json(), right["Retry-After"]) == (429, {"detail": LOCKED}, "900")
    assert Token.objects.count() == 0


def test_api_guesses_at_one_account_from_many_addresses_lock_that_account(api_client, user):
    for n in range(3):
        _token(api_client, user.username, "guess", REMOTE_ADDR=f"198.51.100.{n}")

    right = _token(api_client, user.username, PASSWORD, REMOTE_ADDR="198.51.100.200")

    assert (right.status_code, right.json(), right["Retry-After"]) == (429, {"detail": LOCKED}, "900")


def test_api_guesses_at_many_accounts_from_one_address_lock_that_address(api_client, user):
    for name in ("ana", "bea", "cris"):
        UserFactory(username=name)
        _token(api_client, name, "guess", REMOTE_ADDR="198.51.100.7")

    same_address = _token(api_client, user.username, PASSWORD, REMOTE_ADDR="198.51.100.7")
    other_address = _token(api_client, user.username, PASSWORD, REMOTE_ADDR="198.51.100.8")

    assert (same_address.status_code, same_address.json()) == (429, {"detail": LOCKED})
    assert other_address.status_code == 200


def test_api_success_resets_the_failure_count(api_client, user):
    first = [_token(api_client, user.username, "guess").status_code for _ in range(2)]
    signed_in = _token(api_client, user.username, PASSWORD)
    second = [_token(api_client, user.username, "guess").status_code for _ in range(2)]
    again = _token(api_client, user.username, PASSWORD)

    assert (first, signed_in.status_code, second, again.status_code) == ([400, 400], 200, [400, 400], 200)


def test_signing_in_to_ones_own_account_does_not_reset_guesses_at_another(api_client, user):
    UserFactory(username="mallory")
    for _ in range(2):
        _token(api_client, user.username, "guess", REMOTE_ADDR="198.51.100.7")
    _token(api_client, "mallory", PASSWORD, REMOTE_ADDR="198.51.100.7")
    _token(api_client, user.username, "guess", REMOTE_ADDR="198.51.100.7")

    victim = _token(api_client, user.username, PASSWORD, REMOTE_ADDR="198.51.100.8")

    assert (victim.status_code, victim.json()) == (429, {"detail": LOCKED})


def test_login_page_forged_forwarded_for_does_not_buy_more_guesses(client, user):
    for n in range(3):
        client.post(
            "/login/", {"username": user.username, "password": "guess"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )

    right = client.post(
        "/login/", {"username": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.99"
    )

    assert (right.status_code, right["Retry-After"]) == (429, "900")
    assert LOCKED in right.content.decode()
    assert '<form method="post"' in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_success_resets_the_failure_count(client, user):
    for _ in range(2):
        client.post("/login/", {"username": user.username, "password": "guess"})
    client.post("/login/", {"username": user.username, "password": PASSWORD})
    client.post("/logout/")
    for _ in range(2):
        client.post("/login/", {"username": user.username, "password": "guess"})

    response = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/")


def _sign_in(client, username, password, address):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _known_device(user, address="192.0.2.10"):
    """A browser `user` signed in on before, signed out again."""
    browser = Client()
    assert _sign_in(browser, user.username, PASSWORD, address).status_code == 302
    browser.post("/logout/")
    return browser


def test_guesses_from_elsewhere_do_not_lock_the_owner_out_of_a_device_they_used_before(api_client, user):
    browser = _known_device(user)
    for n in range(3):  # someone else, on the page and on the API, from anywhere
        _sign_in(Client(), user.username, "guess", f"198.51.100.{n}")
        _token(api_client, user.username, "guess", REMOTE_ADDR=f"203.0.113.{n}")

    own = _sign_in(browser, user.username, PASSWORD, "192.0.2.11")
    new_browser = _sign_in(Client(), user.username, PASSWORD, "192.0.2.12")

    assert (own.status_code, own["Location"]) == (302, "/")
    assert new_browser.status_code == 429  # a device never used for the account is still locked out


def test_a_known_device_buys_no_more_guesses(user):
    browser = _known_device(user)

    guesses = [_sign_in(browser, user.username, "guess", f"198.51.100.{n}").status_code for n in range(3)]
    right = _sign_in(browser, user.username, PASSWORD, "198.51.100.99")

    assert (guesses, right.status_code) == ([200, 200, 429], 429)


def test_a_device_known_for_one_account_is_a_stranger_to_another(user):
    browser = _known_device(user)
    other = UserFactory(username="bea")
    for n in range(3):
        _sign_in(Client(), other.username, "guess", f"198.51.100.{n}")

    assert _sign_in(browser, other.username, PASSWORD, "192.0.2.11").status_code == 429


def test_a_forged_known_device_cookie_is_a_stranger(user):
    browser = Client()
    browser.cookies["known_device"] = "forged"
    for n in range(3):
        _sign_in(Client(), user.username, "guess", f"198.51.100.{n}")

    assert _sign_in(browser, user.username, PASSWORD, "192.0.2.11").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(api_client, user):
    for name in ("ana", "bea", "cris"):
        UserFactory(username=name)
        _token(api_client, name, "guess", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    guesser = _token(api_client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="forged, 203.0.113.7")
    someone_else = _token(api_client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert (guesser.status_code, guesser.json()) == (429, {"detail": LOCKED})
    assert someone_else.status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "10.0.0.1"),
        (1, "203.0.113.1", "203.0.113.1"),
        (1, "forged, 203.0.113.1", "203.0.113.1"),
        (2, "forged, 203.0.113.1, 10.0.0.2", "203.0.113.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_address_trusts_only_the_declared_proxies(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected


def test_the_api_rate_limits_ignore_a_forged_forwarded_for(api_client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth", "2/min")

    statuses = [
        api_client.post(
            "/api/auth/password-reset/", {"email": "x@example.com"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(3)
    ]

    assert statuses == [202, 202, 429]


def test_api_sign_ups_are_limited_per_address(api_client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "signup", "2/hour")

    statuses = [
        api_client.post(
            "/api/auth/register/",
            {"username": f"bot{n}", "password": "una-clave-larga-9"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(2)
    ]
    third = api_client.post(
        "/api/auth/register/",
        {"username": "bot2", "password": "una-clave-larga-9"},
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )

    assert statuses == [201, 201]
    assert (third.status_code, third.json(), third["Retry-After"]) == (429, {"detail": SIGNUPS}, "3600")
    assert User.objects.count() == 2


def test_signup_page_is_limited_per_address(client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "signup", "2/hour")

    for n in range(2):
        client.post(
            "/signup/",
            {"username": f"bot{n}", "password": "123", "language": "en"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    third = client.post(
        "/signup/",
        {"username": "bot2", "password": "una-clave-larga-9", "language": "en"},
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )

    assert (third.status_code, third["Retry-After"]) == (429, "3600")
    assert SIGNUPS in third.content.decode()
    assert User.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_lockout_holds_when_served_over_asgi():
    # Daphne runs the middleware chain async, where django-axes calls the lockout answer
    # with other arguments than under WSGI.
    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    user = await sync_to_async(UserFactory)()
    client = AsyncClient()
    for n in range(3):
        await client.post(
            "/api/auth/token/", {"username": user.username, "password": "guess"}, REMOTE_ADDR=f"192.0.2.{n}"
        )
    api = await client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    page = await client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert (api.status_code, api.json(), api["Retry-After"]) == (429, {"detail": LOCKED}, "900")
    assert (page.status_code, page["Retry-After"]) == (429, "900")
