"""Download your data: one zip with everything socialapp keeps about you.

Each app adds its part through `extensions.user_export_sections` (in its AppConfig.ready),
so a new kind of data (messages, reports) joins the export where it is defined."""

import json
import tempfile
import zipfile
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone

from . import extensions
from .models import Block, Follow, User


def write_json(archive: zipfile.ZipFile, name: str, data: Any) -> None:
    archive.writestr(name, json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _profile(user: User, archive: zipfile.ZipFile) -> None:
    write_json(
        archive,
        "profile.json",
        {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "language": user.language,
            "private_account": user.is_private,
            "let_my_public_photos_improve_tagging": user.training_consent,
            "consent_changed_at": user.training_consent_changed_at,
            "joined": user.date_joined,
            "following": list(
                Follow.objects.filter(follower=user).values("followee__username", "status", "created_at")
            ),
            "followers": list(
                Follow.objects.filter(followee=user).values("follower__username", "status", "created_at")
            ),
            "blocked": list(Block.objects.filter(blocker=user).values_list("blocked__username", flat=True)),
        },
    )
    if user.avatar:
        with user.avatar.open("rb") as avatar:
            archive.writestr(f"avatar/{user.avatar.name.rsplit('/', 1)[-1]}", avatar.read())


def user_data_export(*, user: User, file: IO[bytes]) -> None:
    """Write `user`'s data as a zip into `file`."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _profile(user, archive)
        for section in extensions.user_export_sections:
            section(user, archive)


def export_response(user: User) -> FileResponse:
    """The zip as a download (spooled to a temporary file that FileResponse closes)."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    user_data_export(user=user, file=file)
    file.seek(0)
    name = f"socialapp-{user.get_username()}-{timezone.now():%Y%m%d}.zip"
    return FileResponse(file, as_attachment=True, filename=name, content_type="application/zip")
