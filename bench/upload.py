"""Upload to stored suggestions, through the API, in inline mode (no REDIS_URL): the
time a person waits between posting a 12 MP photo and its suggestions being stored."""

import io
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from socialapp.accounts.models import User
from socialapp.photos.models import Photo


def upload_to_suggestions_ms(photo: Path, runs: int) -> list[float]:
    """Milliseconds per API upload until its suggestions are stored (checked)."""
    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench", password="bench-password-1")  # noqa: S106
    client = APIClient()
    client.force_authenticate(user)
    data = photo.read_bytes()

    def upload() -> int:
        image = SimpleUploadedFile("12mp.jpg", io.BytesIO(data).read(), content_type="image/jpeg")
        response = client.post("/api/photos/", {"image": image}, format="multipart", HTTP_HOST="localhost")
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    upload()  # the first one loads the model
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        photo_id = upload()
        times.append((time.perf_counter() - start) * 1000)
        assert Photo.objects.get(pk=photo_id).tagging_status == "ready"
    return times
