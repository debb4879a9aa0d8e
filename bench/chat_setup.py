"""Create N people in conversation pairs with API tokens; print them as JSON.
Run with the bench's DATABASE_URL (bench/chat.py does)."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")

import django

django.setup()

from rest_framework.authtoken.models import Token  # noqa: E402

from socialapp.accounts.models import User  # noqa: E402
from socialapp.chat.services import conversation_start  # noqa: E402


def main(count: int) -> None:
    users = [User.objects.get_or_create(username=f"bench{n}")[0] for n in range(count)]
    pairs = []
    for a, b in zip(users[::2], users[1::2], strict=True):
        conversation, _ = conversation_start(user=a, other=b)
        keys = [Token.objects.get_or_create(user=u)[0].key for u in (a, b)]
        pairs.append({"conversation": conversation.pk, "a": keys[0], "b": keys[1]})
    print(json.dumps(pairs))


if __name__ == "__main__":
    main(int(sys.argv[1]))
