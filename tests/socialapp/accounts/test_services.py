import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from socialapp.accounts import services
from socialapp.accounts.models import Block, Follow, User
from tests.factories import PASSWORD, UserFactory
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_user_create_stores_profile_and_hashed_password():
    user = services.user_create(
        username="lucia", password="una-clave-larga-9", email="l@example.com", language="es"
    )

    stored = User.objects.get(username="lucia")
    assert stored.pk == user.pk
    assert stored.language == "es"
    assert stored.training_consent is False
    assert stored.check_password("una-clave-larga-9")
    assert stored.password != "una-clave-larga-9"


def test_user_create_refuses_taken_name_in_any_case():
    UserFactory(username="Lucia")

    with pytest.raises(ValidationError) as error:
        services.user_create(username="lucia", password="una-clave-larga-9")

    assert error.value.messages == ["That username is taken; choose another."]
    assert User.objects.count() == 1


def test_user_create_refuses_weak_password_and_stores_nothing():
    with pytest.raises(ValidationError) as error:
        services.user_create(username="lucia", password="123")

    assert "This password is too short. It must contain at least 8 characters." in error.value.messages
    assert User.objects.count() == 0


def test_user_create_refuses_unknown_language():
    with pytest.raises(ValidationError):
        services.user_create(username="lucia", password="una-clave-larga-9", language="fr")

    assert User.objects.count() == 0


def test_private_accounts_never_contribute_to_training_whatever_the_consent():
    public = UserFactory(training_consent=True)
    private = UserFactory(training_consent=True, is_private=True)
    refused = UserFactory(training_consent=False)

    assert (public.contributes_to_training, private.contributes_to_training) == (True, False)
    assert refused.contributes_to_training is False


def test_user_set_training_consent_records_when_it_changed():
    user = UserFactory(training_consent=False)

    services.user_set_training_consent(user=user, consent=True)

    user.refresh_from_db()
    assert user.training_consent is True
    assert user.training_consent_changed_at is not None


def test_going_public_accepts_pending_follow_requests():
    owner = UserFactory(is_private=True)
    asker = UserFactory()
    services.follow_create(follower=asker, followee=owner)

    services.user_update_profile(user=owner, is_private=False)

    assert Follow.objects.get(follower=asker, followee=owner).status == "accepted"


def test_follow_public_account_is_accepted_at_once():
    follow = services.follow_create(follower=UserFactory(), followee=UserFactory())

    assert follow.status == "accepted"


def test_follow_private_account_is_a_request_and_repeating_it_keeps_one_row():
    asker, owner = UserFactory(), UserFactory(is_private=True)

    first = services.follow_create(follower=asker, followee=owner)
    second = services.follow_create(follower=asker, followee=owner)

    assert (first.status, second.pk) == ("pending", first.pk)
    assert Follow.objects.count() == 1


def test_follow_yourself_is_refused():
    user = UserFactory()

    with pytest.raises(ValidationError) as error:
        services.follow_create(follower=user, followee=user)

    assert error.value.messages == ["You cannot follow yourself."]


def test_approve_and_decline_follow_requests():
    owner = UserFactory(is_private=True)
    first, second = UserFactory(), UserFactory()
    request_1 = services.follow_create(follower=first, followee=owner)
    request_2 = services.follow_create(follower=second, followee=owner)

    services.follow_request_approve(request=request_1)
    services.follow_request_decline(request=request_2)

    assert list(Follow.objects.values_list("follower__username", "status")) == [(first.username, "accepted")]


def test_block_ends_follows_both_ways_and_stops_following_again():
    alice, bob = UserFactory(), UserFactory()
    services.follow_create(follower=alice, followee=bob)
    services.follow_create(follower=bob, followee=alice)

    services.block_create(blocker=alice, blocked=bob)

    assert Follow.objects.count() == 0
    with pytest.raises(ValidationError) as error:
        services.follow_create(follower=bob, followee=alice)
    assert error.value.messages == ["You cannot follow this account."]


def test_unblock_allows_following_again():
    alice, bob = UserFactory(), UserFactory()
    services.block_create(blocker=alice, blocked=bob)

    assert services.block_delete(blocker=alice, blocked=bob) is True

    assert Block.objects.count() == 0
    assert services.follow_create(follower=bob, followee=alice).status == "accepted"


def test_user_change_password_checks_the_old_one():
    user = UserFactory()

    with pytest.raises(ValidationError):
        services.user_change_password(user=user, old_password="wrong", new_password="new-password-77")
    services.user_change_password(user=user, old_password=PASSWORD, new_password="new-password-77")

    user.refresh_from_db()
    assert user.check_password("new-password-77")


def test_user_delete_with_wrong_password_keeps_everything():
    user = UserFactory()

    with pytest.raises(ValidationError) as error:
        services.user_delete(user=user, password="wrong")

    assert error.value.messages == ["The password is not correct."]
    assert User.objects.filter(pk=user.pk).exists()


def test_user_delete_removes_rows_and_avatar_file(django_capture_on_commit_callbacks):
    user, other = UserFactory(), UserFactory()
    services.user_update_profile(user=user, avatar=SimpleUploadedFile("me.jpg", jpeg_bytes()))
    services.follow_create(follower=user, followee=other)
    services.follow_create(follower=other, followee=user)
    Token.objects.create(user=user)
    storage, avatar_name = user.avatar.storage, user.avatar.name
    assert storage.exists(avatar_name)

    with django_capture_on_commit_callbacks(execute=True):
        services.user_delete(user=user, password=PASSWORD)

    assert list(User.objects.values_list("username", flat=True)) == [other.username]
    assert (Follow.objects.count(), Token.objects.count()) == (0, 0)
    assert not storage.exists(avatar_name)


def test_replacing_the_avatar_deletes_the_old_file(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.user_update_profile(user=user, avatar=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    old = user.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        services.user_update_profile(user=user, avatar=SimpleUploadedFile("b.jpg", jpeg_bytes()))

    assert not user.avatar.storage.exists(old)
    assert user.avatar.storage.exists(user.avatar.name)
