"""Upload to stored suggestions, through the API, in inline mode (no REDIS_URL).

Two clocks per upload, both started when the request is made:
- stored: when the suggestions are committed and the owner's sockets are told (the
  `suggestions.ready` notification), which is when the chips appear on the upload page;
- response: when the upload's response arrives. Inline, that also waits for the 1080 px
  display image, which a post makes after its suggestions (a worker makes it alongside).

The model-only time the e2e is compared with (suggest_tags on the same 12 MP file) is
measured in the same loop, one call between two uploads, so both see the same machine:
on a shared 2-core VM the forward pass alone drifts by 30% over a minute, and a tight
loop keeps the weights in cache and the threads awake as no upload finds them.
"""

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from socialapp.accounts.models import User
from socialapp.photos.models import Photo
from tagging.services import suggestions


@dataclass
class UploadTimes:
    stored_ms: list[float]
    response_ms: list[float]
    model_only_ms: list[float]


def upload_to_suggestions_ms(photo: Path, runs: int, model_only: Callable[[], object]) -> UploadTimes:
    """Milliseconds per API upload until its suggestions are stored, and until its
    response, with a `model_only` call timed between uploads; each upload is checked to
    be tagged and to have its display image."""
    call_command("migrate", verbosity=0)
    user = User.objects.filter(username="bench").first() or User.objects.create_user(
        "bench",
        password="bench-password-1",  # noqa: S106
    )
    client = APIClient()
    client.force_authenticate(user)
    data = photo.read_bytes()
    told: dict[int, float] = {}
    send = suggestions.notification_send

    def record(*, user_id: int, event: dict) -> None:  # type: ignore[type-arg]
        if event["type"] == "suggestions.ready":
            told[event["photo_id"]] = time.perf_counter()
        send(user_id=user_id, event=event)

    def upload() -> int:
        image = SimpleUploadedFile("12mp.jpg", io.BytesIO(data).read(), content_type="image/jpeg")
        response = client.post("/api/photos/", {"image": image}, format="multipart", HTTP_HOST="localhost")
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    suggestions.notification_send = record  # type: ignore[assignment]
    try:
        upload()  # the first one loads the model
        model_only()
        times = UploadTimes([], [], [])
        for _ in range(runs):
            start = time.perf_counter()
            model_only()
            times.model_only_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            photo_id = upload()
            times.response_ms.append((time.perf_counter() - start) * 1000)
            times.stored_ms.append((told[photo_id] - start) * 1000)
            stored = Photo.objects.get(pk=photo_id)
            assert stored.tagging_status == "ready" and stored.thumbnail_1080, photo_id
    finally:
        suggestions.notification_send = send  # type: ignore[assignment]
    return times
