"""Demo data for `make run`. Safe to run again: what exists is left as it is."""

from django.core.management.base import BaseCommand
from django.db import transaction

from socialapp.accounts import services
from socialapp.accounts.models import User

DEMO_PASSWORD = "socialapp-demo"  # noqa: S105 - printed for people trying the demo

DEMO_USERS = [
    # username, display name, language, private, consent, bio
    ("alice", "Alice Walker", "en", False, True, "Windmills, old stones and good coffee."),
    ("bruno", "Bruno Díaz", "es", False, True, "Fotos de viajes y del mar. Vendo lo que ya no uso."),
    ("carla", "Carla Méndez", "es", True, False, "Cuenta privada: solo amigos."),
    ("dev", "Dev Patel", "en", False, False, "Gadgets and tools for sale."),
]
DEMO_FOLLOWS = [("alice", "bruno"), ("bruno", "alice"), ("dev", "alice"), ("alice", "carla")]


class Command(BaseCommand):
    help = "Create the demo accounts and follows (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            created = self._users()
            self._admin()
            for follower, followee in DEMO_FOLLOWS:
                services.follow_create(
                    follower=User.objects.get(username=follower),
                    followee=User.objects.get(username=followee),
                )
        self.stdout.write(f"Demo accounts: {created} created, {len(DEMO_USERS) - created} already there.")

    def _users(self) -> int:
        created = 0
        for username, name, language, private, consent, bio in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = services.user_create(
                username=username,
                password=DEMO_PASSWORD,
                email=f"{username}@example.com",
                language=language,
                display_name=name,
                training_consent=consent,
            )
            services.user_update_profile(user=user, bio=bio, is_private=private)
            created += 1
        return created

    def _admin(self) -> None:
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", DEMO_PASSWORD)
