import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.accounts.models import Follow, User
from tests.factories import PASSWORD, UserFactory
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_signup_logs_in_and_leaves_consent_unticked(client):
    page = client.get("/signup/")
    assert page.status_code == 200
    consent = re.search(rb'<input[^>]*name="training_consent"[^>]*>', page.content).group(0)
    assert b"checked" not in consent

    response = client.post(
        "/signup/", {"username": "lucia", "password": "una-clave-larga-9", "language": "es"}
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get(username="lucia")
    assert user.training_consent is False
    assert client.get("/").context["user"] == user


def test_signup_with_weak_password_shows_the_error_and_stores_nothing(client):
    response = client.post("/signup/", {"username": "lucia", "password": "123", "language": "en"})

    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()
    assert User.objects.count() == 0


def test_login_and_logout(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")

    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/settings/")["Location"] == "/login/?next=/settings/"


def test_password_reset_flow_end_to_end(client, user):
    client.post("/password/reset/", {"email": user.email})

    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "fresh-pass-2026", "new_password2": "fresh-pass-2026"})

    assert (response.status_code, response["Location"]) == (302, "/password/reset/done/")
    user.refresh_from_db()
    assert user.check_password("fresh-pass-2026")
    assert client.get(link, follow=True).context["validlink"] is False


def test_password_change_page(client, user):
    client.force_login(user)

    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": "other-pass-2026", "new_password2": "other-pass-2026"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("other-pass-2026")


def test_settings_saves_profile_avatar_and_consent(client, user):
    client.force_login(user)

    response = client.post(
        "/settings/",
        {
            "display_name": "Lu",
            "bio": "hola",
            "language": "es",
            "is_private": "on",
            "training_consent": "on",
            "avatar": SimpleUploadedFile("me.jpg", jpeg_bytes()),
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/settings/")
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.language, user.is_private, user.training_consent) == (
        "Lu",
        "hola",
        "es",
        True,
        True,
    )
    assert user.avatar.storage.exists(user.avatar.name)


def test_account_delete_page(client, user):
    client.force_login(user)

    wrong = client.post("/settings/delete/", {"password": "nope"})
    right = client.post("/settings/delete/", {"password": PASSWORD})

    assert wrong.status_code == 200
    assert "The password is not correct." in wrong.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/")
    assert not User.objects.filter(pk=user.pk).exists()


def test_profile_follow_request_and_approval_pages(client):
    owner = UserFactory(username="carla", is_private=True)
    asker = UserFactory(username="lucia")
    client.force_login(asker)

    page = client.get("/u/carla/")
    assert "This account is private. Follow it to see its photos." in page.content.decode()
    client.post("/u/carla/follow/")
    assert "Requested" in client.get("/u/carla/").content.decode()

    client.force_login(owner)
    requests_page = client.get("/requests/")
    assert "lucia" in requests_page.content.decode()
    follow_request = Follow.objects.get()
    client.post(f"/requests/{follow_request.pk}/approve/")

    assert Follow.objects.get().status == "accepted"
    assert client.post(f"/requests/{follow_request.pk}/ignore/").status_code == 404


def test_blocking_from_the_profile_hides_it_from_the_blocked(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    client.force_login(alice)

    client.post("/u/bob/block/")

    assert "bob" in client.get("/settings/blocked/").content.decode()
    client.force_login(bob)
    assert client.get("/u/alice/").status_code == 404


def test_pages_follow_the_users_language(client):
    client.force_login(UserFactory(language="es"))

    page = client.get("/settings/")

    assert page["Content-Language"] == "es"
    assert "Ajustes" in page.content.decode()


def test_visitors_get_the_browsers_language(client):
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert "Crear una cuenta" in spanish.content.decode()
    assert "Create an account" in english.content.decode()


def test_admin_lists_users(admin_client):
    UserFactory(username="lucia")

    response = admin_client.get("/admin/accounts/user/")

    assert response.status_code == 200
    assert "lucia" in response.content.decode()


def test_admin_pages_of_every_app_render(admin_client):
    from django.contrib import admin

    for model in admin.site._registry:
        meta = model._meta
        response = admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, meta.label


def test_every_model_of_the_project_is_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    project = [
        model
        for model in apps.get_models()
        if model.__module__.startswith(("socialapp.", "tagging.", "translation."))
    ]
    registered = admin.site._registry.values()
    inlined = {inline.model for model_admin in registered for inline in model_admin.inlines}
    shown = set(admin.site._registry) | inlined
    missing = sorted(model._meta.label for model in project if model not in shown)

    assert missing == []
