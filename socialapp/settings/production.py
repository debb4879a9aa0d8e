"""Production: DEBUG off, secrets and hosts required from the environment."""

from django.core.exceptions import ImproperlyConfigured

from socialapp import env

from .base import *  # noqa: F403

DEBUG = False
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False


def _guessable(key: str) -> bool:
    """What Django's security.W009 check calls weak: short, few different characters, or
    made by startproject for development."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


# Refuse to start rather than warn: each of these hands the site to whoever notices.
if env.SECRET_KEY == env.DEV_SECRET_KEY or _guessable(env.SECRET_KEY):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a long random value in production (50 or more characters, for example "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not env.ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site is served on.")
if "*" in env.ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS may not contain '*' in production; list the host names.")
if env.DEBUG_REQUESTED:
    raise ImproperlyConfigured("DEBUG must be off in production; unset DEBUG or set DEBUG=false.")

# Uploads where base chose (MEDIA_ROOT or the bucket); static files compressed with a manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = env.SECURE_HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.SECURE_HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD = env.SECURE_HSTS_PRELOAD
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
