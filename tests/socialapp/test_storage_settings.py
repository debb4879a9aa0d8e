"""Which storage the settings choose: MEDIA_ROOT and MODELS_DIR with no bucket, exactly as
on one machine; with AWS_STORAGE_BUCKET_NAME, django-storages' S3 backend for uploads and
model artefacts, and the bucket's endpoint allowed as an image source."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.socialapp.test_settings import STRONG_KEY

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'storages': s.STORAGES, 'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
)
BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "photos",
    "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:8333",
    "AWS_ACCESS_KEY_ID": "key",
    "AWS_SECRET_ACCESS_KEY": "secret",
}


def _settings(module: str, overrides: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "TAGGING_ARTIFACTS"}
    env |= {"DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": STRONG_KEY}
    env |= {"ALLOWED_HOSTS": "social.example.com"} | overrides
    result = subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_bucket_files_stay_on_local_disk():
    shown = _settings("socialapp.settings.production", {})

    assert shown["storages"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert "artifacts" not in shown["storages"]
    assert shown["img"] == ["'self'", "data:", "blob:"]


def test_a_bucket_stores_uploads_and_artefacts_privately_through_django_storages():
    shown = _settings("socialapp.settings.production", BUCKET)

    default, artifacts = shown["storages"]["default"], shown["storages"]["artifacts"]
    assert default["BACKEND"] == artifacts["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["addressing_style"]) == (
        "photos",
        "http://127.0.0.1:8333",
        "path",
    )
    assert (options["default_acl"], options["querystring_auth"], options["querystring_expire"]) == (
        None,
        True,
        300,
    )
    assert options["file_overwrite"] is False
    assert (artifacts["OPTIONS"]["location"], artifacts["OPTIONS"]["file_overwrite"]) == ("models", True)
    assert shown["img"] == ["'self'", "data:", "blob:", "http://127.0.0.1:8333"]


def test_tagging_artifacts_local_keeps_models_on_disk_with_a_bucket():
    shown = _settings("socialapp.settings.base", BUCKET | {"TAGGING_ARTIFACTS": "local"})

    assert shown["storages"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert "artifacts" not in shown["storages"]
