"""Test settings: fast and self-contained on whichever database DATABASE_URL names.

Ordinary tests run tasks inline and use the in-memory channel layer even when REDIS_URL
is set; tests marked `services` build their own Redis-backed layer, broker and workers.
"""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="socialapp-media-"))
MODELS_DIR = Path(tempfile.mkdtemp(prefix="socialapp-models-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True

TORCH_THREADS = 1

# Chat tests see only chat frames; translation tests switch it on.
CHAT_TRANSLATION = False
