import factory

from socialapp.accounts.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


def make_photo(owner: User, caption: str = "", color: tuple[int, int, int] = (200, 40, 40)):
    """A real post through the upload pipeline (the same path users take)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from socialapp.photos.services import photo_create
    from tests.images import jpeg_bytes

    return photo_create(
        owner=owner, image=SimpleUploadedFile("p.jpg", jpeg_bytes(color=color)), caption=caption
    )


def suggestion_stored(photo, concept, *, score=0.9, rank=0, model_version="v1", state="open", hashtag=None):
    """A suggestion row as the tagger stores one it saw in the photo (photo_score and
    photo_rank its own score and rank); `hashtag` defaults to the concept's name."""
    from tagging.models import PhotoSuggestion

    return PhotoSuggestion.objects.create(
        photo=photo,
        concept=concept,
        hashtag=concept.name if hashtag is None else hashtag,
        score=score,
        photo_score=score,
        rank=rank,
        photo_rank=rank,
        model_version=model_version,
        state=state,
    )


def client_for(user: User):
    """An API client signed in as `user`."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def conversation_pair():
    """buyer (English) and seller (Spanish), and their conversation."""
    from socialapp.chat.services import conversation_start

    buyer = UserFactory(username="buyer", language="en")
    seller = UserFactory(username="seller", language="es")
    conversation, _ = conversation_start(user=buyer, other=seller)
    return buyer, seller, conversation
