"""Production: DEBUG off, secrets and hosts required from the environment."""

from django.core.exceptions import ImproperlyConfigured

from socialapp import env

from .base import *  # noqa: F403

DEBUG = False
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

if env.SECRET_KEY == env.DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY to a long random value in production.")
if not env.ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site is served on.")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
