"""Builds the demo: its concepts (data/concepts.csv), people, their posts from data/photos
with the captions in data/posts.csv, follows, likes, comments and listings. Idempotent:
what exists stays."""

import csv
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from socialapp.accounts import services as accounts
from socialapp.accounts.models import User
from socialapp.chat import services as chat
from socialapp.hashtags import services as hashtags
from socialapp.hashtags.starter import starter_concepts
from socialapp.photos import services as photos
from socialapp.photos.models import Photo
from socialapp.shop import services as shop
from socialapp.shop.models import Listing

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "socialapp-demo"  # noqa: S105 - printed for people trying the demo


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    language: str
    private: bool
    consent: bool
    bio: str


USERS = [
    DemoUser("alice", "Alice Walker", "en", False, True, "Old stones, big skies and good coffee."),
    DemoUser(
        "dev",
        "Dev Patel",
        "en",
        False,
        False,
        "Tools, gadgets and weekend fixes. Selling what I no longer use.",
    ),
    DemoUser("emma", "Emma Larsen", "en", False, True, "Under the sea whenever I can 🐠"),
    DemoUser("bruno", "Bruno Díaz", "es", False, True, "Fotos de viajes y del mar."),
    DemoUser("lucia", "Lucía Romero", "es", False, True, "Arquitectura, historia y bricolaje."),
    DemoUser("carla", "Carla Méndez", "es", True, False, "Cuenta privada: solo amigos."),
]
FOLLOWS = [
    ("alice", "bruno"),
    ("alice", "emma"),
    ("alice", "lucia"),
    ("alice", "carla"),
    ("bruno", "alice"),
    ("bruno", "carla"),
    ("bruno", "emma"),
    ("dev", "alice"),
    ("dev", "lucia"),
    ("emma", "alice"),
    ("emma", "bruno"),
    ("lucia", "bruno"),
    ("lucia", "dev"),
    ("carla", "bruno"),
]
COMMENTS = {
    "en": ["Stunning! 😍", "Where is this?", "Love the colours", "Adding this to my list", "Great shot!"],
    "es": ["¡Qué bonito! 😍", "¿Dónde es esto?", "Me encantan los colores", "¡Qué pasada!", "Preciosa foto"],
}
PRICES = {"home": "18.00", "electronics": "45.00", "food_drink": "6.50", "beauty": "12.00", "toys": "15.00"}


def seed(*, log=print) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    # The demo's place names and niche subjects (egeskov, rodas -> rhodes) are not in the
    # general concept table; they join it before the posts that use them.
    hashtags.concepts_install(concepts=starter_concepts(DATA / "concepts.csv"))
    with transaction.atomic():
        users = {u.username: _user(u) for u in USERS}
        _admin()
        for follower, followee in FOLLOWS:
            accounts.follow_create(follower=users[follower], followee=users[followee])
            if users[followee].is_private:
                accounts.follow_request_approve(
                    request=users[followee].follower_set.get(follower=users[follower])
                )
    posts, new_posts = _posts(users)
    _likes_and_comments(users, new_posts, rng)
    _listings(posts)
    _conversation(users)
    _first_tagger(log)
    log(
        f"Demo: {User.objects.filter(username__in=users).count()} people, "
        f"{Photo.objects.filter(owner__in=users.values()).count()} posts, "
        f"{Listing.objects.filter(seller__in=users.values()).count()} listings.\n"
        f"Log in as {', '.join(u.username + (' (private)' if u.private else '') for u in USERS)}, "
        f"or admin for /admin/; the password is {PASSWORD}."
    )


CONVERSATION = [  # alice (English) asks bruno (Spanish) about one of his listings
    ("alice", "Hi! Is this still available?"),
    ("bruno", "¡Hola! Sí, todavía está disponible."),
    ("alice", "Great. Could you ship it to Madrid? I can pay 25 € for the shipping."),
    ("bruno", "Claro, lo envío el lunes. Te mando el número de seguimiento."),
]


def _conversation(users: dict[str, User]) -> None:
    listing = Listing.objects.filter(seller=users["bruno"]).order_by("pk").first()
    conversation, created = chat.conversation_start(
        user=users["alice"], other=users["bruno"], listing=listing
    )
    if created:
        for username, text in CONVERSATION:
            chat.message_send(conversation=conversation, sender=users[username], text=text)


def _first_tagger(log) -> None:  # type: ignore[no-untyped-def]
    """Train and activate v1 from the demo posts, so suggestions blend learned hashtags
    with cold start from the first `make run` (activated whatever the gate says), and
    re-suggest the posts with it, as an operator does after a new version."""
    from tagging import services as tagging
    from tagging.selectors import model_versions_exist

    if model_versions_exist():
        return
    tagging.vocabulary_build()
    version, _activated = tagging.model_version_train(force=True)
    hit = version.metrics.get("hashtags", {}).get("hit@5")
    log(f"Tagger {version.name}: trained on {version.trained_photo_count} demo photos, held-out hit@5 {hit}.")
    if version.is_active:
        done = tagging.suggestions_recompute()
        log(f"Tagger {done.model_version}: suggestions of {done.rescored} posts.")


def _user(demo: DemoUser) -> User:
    user = User.objects.filter(username=demo.username).first()
    if user is not None:
        return user
    user = accounts.user_create(
        username=demo.username,
        password=PASSWORD,
        email=f"{demo.username}@example.com",
        language=demo.language,
        display_name=demo.name,
        training_consent=demo.consent,
    )
    return accounts.user_update_profile(user=user, bio=demo.bio, is_private=demo.private)


def _admin() -> None:
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.com", PASSWORD)


def _rows() -> list[dict[str, str]]:
    with (DATA / "posts.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _owner_for(row: dict[str, str], index: int, users: dict[str, User]) -> User:
    language = "es" if _is_spanish(row["caption"]) else "en"
    if row["shop_category"] != "none":
        return users["dev" if language == "en" else "lucia"]
    pool = [u for u in users.values() if u.language == language]
    return pool[index % len(pool)]


def _is_spanish(caption: str) -> bool:
    words = set(re.findall(r"\b\w+\b", caption.lower().split("#")[0]))
    return bool(
        words
        & {
            "de",
            "del",
            "el",
            "la",
            "los",
            "las",
            "con",
            "en",
            "y",
            "que",
            "un",
            "una",
            "mi",
            "por",
            "al",
            "es",
            "este",
            "esta",
            "para",
            "sobre",
            "muy",
            "qué",
            "más",
            "sus",
        }
    )


def _posts(users: dict[str, User]) -> tuple[list[Photo], list[Photo]]:
    """Every demo post, and the ones made in this run."""
    posts, new_posts = [], []
    now = timezone.now()
    for index, row in enumerate(_rows()):
        owner = _owner_for(row, index, users)
        photo = Photo.objects.filter(owner=owner, caption=row["caption"]).first()
        if photo is None:
            with (DATA / "photos" / row["filename"]).open("rb") as image:
                photo = photos.photo_create(owner=owner, image=image, caption=row["caption"])
            # Spread the posts over the last weeks so the feed reads like one.
            Photo.objects.filter(pk=photo.pk).update(created_at=now - timedelta(hours=7 * (96 - index)))
            new_posts.append(photo)
        posts.append(photo)
    return posts, new_posts


def _likes_and_comments(users: dict[str, User], posts: list[Photo], rng: random.Random) -> None:
    people = list(users.values())
    for photo in posts:
        if photo.owner.is_private:
            continue
        for fan in rng.sample(people, k=rng.randint(0, 4)):
            if fan != photo.owner:
                photos.like_create(user=fan, photo=photo)
        if rng.random() < 0.3:
            author = rng.choice([p for p in people if p != photo.owner and not p.is_private])
            photos.comment_create(author=author, photo=photo, text=rng.choice(COMMENTS[author.language]))


def _listings(posts: list[Photo]) -> None:
    rows = _rows()
    for index, (photo, row) in enumerate(zip(posts, rows, strict=True)):
        category = row["shop_category"]
        if category == "none" or Listing.objects.filter(source_photo=photo).exists():
            continue
        caption = row["caption"].split("#")[0].strip()
        title = re.split(r"[.:!,]", caption)[0].strip()[:120] or category
        shop.listing_create(
            seller=photo.owner,
            title=title,
            description=caption,
            price=Decimal(PRICES.get(category, "20.00")) + index % 7 * 3,
            currency="EUR",
            category=category,
            photo=photo,
        )
