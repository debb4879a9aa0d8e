"""Look-alike usernames: the skeleton rule in user_create, the sign-up API and form, the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from socialapp.accounts.admin import UserChangeForm
from socialapp.accounts.models import User
from socialapp.accounts.services import user_create
from socialapp.accounts.usernames import username_skeleton
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIMILAR = "That username is too similar to an existing one; choose another."
TAKEN = "That username is taken; choose another."
MIXED = (
    "A username must use one alphabet; this one mixes letters that look alike (such as Latin and Cyrillic)."
)
PASSWORD = "una-clave-larga-9"


def test_skeleton_folds_case_width_and_look_alike_letters():
    assert [
        username_skeleton(name)
        for name in ["alice", "ALICE", "ａｌｉｃｅ", "\u0430lice", "alic\u0435", "\u0391LICE", "bob0", "b1ll"]
    ] == ["alice", "alice", "alice", "alice", "alice", "alice", "bobo", "blll"]


@pytest.mark.parametrize(
    "name",
    [
        "\u0430lice",  # Cyrillic a
        "alic\u0435",  # Cyrillic e
        "\u0430lic\u0435",  # both
        "\u03b1lice",  # Greek alpha
    ],
)
def test_user_create_refuses_a_look_alike_of_an_existing_name_and_stores_nothing(name):
    UserFactory(username="alice")

    with pytest.raises(ValidationError) as error:
        user_create(username=name, password=PASSWORD)

    assert (error.value.messages, error.value.code) == ([SIMILAR], "username_similar")
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]


@pytest.mark.parametrize("name", ["ALICE", "Alice", "ａｌｉｃｅ"])
def test_user_create_refuses_the_same_name_in_another_case_or_width(name):
    UserFactory(username="alice")

    with pytest.raises(ValidationError) as error:
        user_create(username=name, password=PASSWORD)

    assert error.value.messages == [TAKEN]
    assert User.objects.count() == 1


def test_user_create_refuses_a_name_mixing_latin_and_cyrillic_even_when_nobody_has_it():
    with pytest.raises(ValidationError) as error:
        user_create(username="p\u0430ypal", password=PASSWORD)

    assert (error.value.messages, error.value.code) == ([MIXED], "username_mixed_script")
    assert User.objects.count() == 0


def test_user_create_accepts_a_different_name_and_stores_its_skeleton():
    UserFactory(username="alice")

    user = user_create(username="alice2", password=PASSWORD)

    assert (user.username, User.objects.get(pk=user.pk).username_skeleton) == ("alice2", "alice2")


def test_user_create_accepts_a_name_in_one_other_alphabet():
    user = user_create(username="\u0430\u043d\u044f", password=PASSWORD)  # аня, all Cyrillic

    assert User.objects.get(pk=user.pk).username_skeleton == "\u0430\u043d\u044f".replace("\u0430", "a")


def test_the_database_refuses_a_look_alike_saved_around_the_service():
    # Two sign-ups racing past the check: the unique skeleton still keeps one.
    UserFactory(username="alice")

    with pytest.raises(IntegrityError):
        User.objects.create(username="\u0430lice")


def test_register_api_refuses_a_look_alike_with_400(api_client):
    UserFactory(username="alice")

    response = api_client.post(
        "/api/auth/register/", {"username": "\u0430lice", "password": PASSWORD}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"detail": SIMILAR})
    assert User.objects.count() == 1


def test_register_api_accepts_a_different_name(api_client):
    UserFactory(username="alice")

    response = api_client.post(
        "/api/auth/register/", {"username": "alice2", "password": PASSWORD}, format="json"
    )

    assert (response.status_code, response.json()["username"]) == (201, "alice2")


def test_signup_form_shows_the_look_alike_error_and_stores_nothing(client):
    UserFactory(username="alice")

    response = client.post("/signup/", {"username": "\u0430lice", "password": PASSWORD, "language": "en"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SIMILAR]
    assert SIMILAR in response.content.decode()
    assert User.objects.count() == 1


def test_admin_add_user_form_refuses_a_look_alike(client):
    admin = UserFactory(username="alice", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "\u0430lice", "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"username": [SIMILAR]}
    assert User.objects.count() == 1


def test_admin_rename_refuses_a_look_alike_of_someone_else_but_keeps_your_own():
    UserFactory(username="alice")
    bob = UserFactory(username="bob")

    taken = UserChangeForm(data={"username": "\u0430lice"}, instance=bob)
    own = UserChangeForm(data={"username": "BOB"}, instance=bob)

    assert (taken.errors["username"], "username" in own.errors) == ([SIMILAR], False)


def test_migration_keeps_older_look_alikes_with_a_marked_skeleton_and_refuses_new_ones():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("socialapp.accounts.migrations.0002_user_username_skeleton")
    # Accounts from before the rule: stored without skeletons (placeholders here).
    first, second, third = UserFactory.create_batch(3)
    for user, name in [(first, "alice"), (second, "\u0430lice"), (third, "bob")]:
        User.objects.filter(pk=user.pk).update(username=name, username_skeleton=f"old{user.pk}")

    migration.fill_skeletons(apps, None)

    assert list(User.objects.order_by("pk").values_list("username", "username_skeleton")) == [
        ("alice", "alice"),
        ("\u0430lice", f"alice#{second.pk}"),
        ("bob", "bob"),
    ]
    User.objects.filter(pk=first.pk).delete()
    second.refresh_from_db()
    second.display_name = "Alice"
    second.save()  # the older look-alike keeps working
    with pytest.raises(ValidationError) as error:
        user_create(username="alic\u0435", password=PASSWORD)
    assert error.value.messages == [SIMILAR]
