"""Settings shared by every environment. Values come from socialapp.env, never os.environ."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from django.utils.translation import gettext_lazy as _

from socialapp import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the default SQLite database lives here

SECRET_KEY = env.SECRET_KEY
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

INSTALLED_APPS = [
    "daphne",
    "socialapp.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "socialapp.accounts",
    "socialapp.hashtags",
    "socialapp.photos",
    "socialapp.shop",
    "socialapp.moderation",
    "socialapp.chat",
    "socialapp.notifications",
    "socialapp.demo",
    "tagging",
    "translation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that queries: a NUL character in a request is answered 400 here.
    "socialapp.request_input.NulCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A successful sign-in gives the browser its known-device cookie (accounts.known_devices).
    "socialapp.accounts.known_devices.KnownDeviceMiddleware",
    # Database unreachable: 503 with Retry-After, from here on (it loads the user first).
    "socialapp.database_outage.DatabaseOutageMiddleware",
    "socialapp.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in that django-axes refused into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Scripts, styles and everything else only from our own origin: templates carry no inline
# script, event handler or style attribute (a test keeps it so). 'self' covers the chat's
# ws:// or wss:// socket to the same host, and data: the images that scripts draw.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "socialapp.urls"
ASGI_APPLICATION = "socialapp.asgi.application"
WSGI_APPLICATION = "socialapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socialapp.moderation.context_processors.moderation",
                "socialapp.notifications.context_processors.badges",
            ],
            # {% load media %}: {{ photo.thumbnail_320|media_url }} gives a plain or signed URL.
            "libraries": {"media": "socialapp.media"},
        },
    },
]

DATABASES = {"default": env.database_config()}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses sign-ins for an account or address with too many recent failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The client address (X-Forwarded-For only behind TRUSTED_PROXY_COUNT proxies of our own):
# sign-in lockouts, DRF throttles and the sign-up limit all use it.
TRUSTED_PROXY_COUNT = env.TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "socialapp.client_address.client_address"
# Failures count per account and, separately, per address: rotating addresses does not
# buy more guesses at one account, nor rotating accounts more guesses from one address.
# A browser the account signed in on before counts its own failures apart, so guesses
# from elsewhere cannot lock the owner out of it (socialapp.accounts.known_devices).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "socialapp.accounts.known_devices.lockout_username"
AXES_FAILURE_LIMIT = env.LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=env.LOGIN_COOLOFF_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "socialapp.accounts.throttling.sign_in_locked_out"
AXES_HANDLER = "socialapp.accounts.throttling.SignInAttempts"
# Failed attempts are kept only until they expire; no log of every sign-in's address.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
API_TOKEN_TTL_DAYS = env.API_TOKEN_TTL_DAYS
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# locale/overrides: Django's own messages in the tú the app uses (see its django.po).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.STATIC_ROOT
STATICFILES_DIRS = [BASE_DIR / "socialapp" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.MEDIA_ROOT
# Uploads are served by socialapp.media: plain URLs for public posts, signed ones that
# expire for everything else.
MEDIA_SIGNED_URL_SECONDS = env.MEDIA_SIGNED_URL_SECONDS
MEDIA_ACCEL_REDIRECT = env.MEDIA_ACCEL_REDIRECT
MODELS_DIR = env.MODELS_DIR


def object_storages(
    *,
    bucket: str,
    endpoint_url: str = "",
    access_key: str = "",
    secret_key: str = "",
    region: str = "us-east-1",
    addressing_style: str = "",
    signed_url_seconds: int = 300,
    artifacts: str = "",
) -> dict[str, dict]:
    """STORAGES with every upload in an S3-compatible `bucket` (django-storages): objects
    are private (no ACL; the bucket grants nobody without a signature), their storage URLs
    presigned for `signed_url_seconds`, and names never overwritten (two runs of a
    thumbnail task must not share a file). Model artefacts go under the `artifacts`
    prefix ("models/" when empty; "local" keeps them in MODELS_DIR)."""
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region,
        # SeaweedFS or MinIO behind one host name: the bucket goes in the path.
        "addressing_style": addressing_style or ("path" if endpoint_url else None),
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": signed_url_seconds,
        "file_overwrite": False,
    }
    storages: dict[str, dict] = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if artifacts != "local":
        prefix = (artifacts or "models/").strip("/")
        # Versions live in folders never reused, the embedding cache is rewritten in place.
        artifact_options = options | {"location": prefix, "file_overwrite": True}
        storages["artifacts"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": artifact_options}
    return storages


def object_storage_origin(*, bucket: str, endpoint_url: str = "", region: str = "us-east-1") -> str:
    """Where a presigned URL points, for the Content-Security-Policy's img-src."""
    if endpoint_url:
        parsed = urlparse(endpoint_url)
        return f"{parsed.scheme}://{parsed.netloc}"
    return f"https://{bucket}.s3.{region}.amazonaws.com"


# With a bucket (AWS_STORAGE_BUCKET_NAME), uploads and model artefacts live there
# (django-storages); without one, in MEDIA_ROOT and MODELS_DIR as on one machine.
AWS_STORAGE_BUCKET_NAME = env.AWS_STORAGE_BUCKET_NAME
TAGGING_ARTIFACTS = env.TAGGING_ARTIFACTS
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = object_storages(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env.AWS_S3_ENDPOINT_URL,
        access_key=env.AWS_ACCESS_KEY_ID,
        secret_key=env.AWS_SECRET_ACCESS_KEY,
        region=env.AWS_S3_REGION_NAME,
        addressing_style=env.AWS_S3_ADDRESSING_STYLE,
        signed_url_seconds=MEDIA_SIGNED_URL_SECONDS,
        artifacts=TAGGING_ARTIFACTS,
    )
    # Private photos' <img> point at the bucket's presigned URLs.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        object_storage_origin(
            bucket=AWS_STORAGE_BUCKET_NAME,
            endpoint_url=env.AWS_S3_ENDPOINT_URL,
            region=env.AWS_S3_REGION_NAME,
        )
    )

# Without a collected manifest (development), serve straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_PERMISSIONS = 0o644

vars().update(env.email_config())
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

REDIS_URL = env.REDIS_URL


def redis_channel_layers(url: str) -> dict:
    """The pub/sub channel layer on the Redis at `url`. Pub/sub channels are server-wide
    (the database number does not separate them), so the prefix names the database:
    deployments or test runs on one Redis with different numbers never hear each other's
    groups. Database 0 keeps channels_redis's own prefix, "asgi"."""
    parsed = urlparse(url)
    path = parsed.path.strip("/")  # redis://host:6379/3; a unix socket's path is no number
    db = parse_qs(parsed.query).get("db", [path if path.isdigit() else "0"])[0]
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": "asgi" if db == "0" else f"asgi.db{db}."},
        }
    }


if REDIS_URL:
    # Redis pub/sub: a group message is one PUBLISH, pushed to each server process over
    # the one connection it subscribes on. The list-based RedisChannelLayer costs about
    # five Redis round trips a message and a blocking pop per delivery; on 2 cores this
    # halves a chat message's CPU (bench/chat.py). Like that layer it delivers at most
    # once: messages are stored before they are broadcast, and a client that sees a gap
    # in seq (or reconnects) asks for the rest with resync.
    CHANNEL_LAYERS = redis_channel_layers(REDIS_URL)
    # Throttle counters: while Redis is unreachable they count in each process's memory
    # (socialapp.fallback_cache), so the API keeps answering as the pages do.
    CACHES = {
        "default": {
            "BACKEND": "socialapp.fallback_cache.RedisCacheWithLocalFallback",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.REDIS_CACHE_TIMEOUT,
                "socket_timeout": env.REDIS_CACHE_TIMEOUT,
                "fallback_retry_seconds": env.REDIS_CACHE_RETRY_SECONDS,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with REDIS_URL, tasks go to Redis and a worker runs them; without it, inline.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host, or kombu warns that it has none
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TRACK_STARTED = True
# Redis redelivers an unacknowledged task after this long; it must outlast the longest
# task (tagging: time_limit 180 s) or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
# Work whose message was lost (broker down when it was queued) is queued again once it is
# pending past its task's time limit (socialapp.queueing); an analysis whose whole worker
# died, once that worker restarts or stops answering pings (tagging.services).
# Run exactly one `celery -A socialapp beat` (bin/serve starts it with REDIS_URL).
CELERY_BEAT_SCHEDULE = {
    "stuck-requeue": {"task": "socialapp.photos.tasks.stuck_requeue", "schedule": 60.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "socialapp.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "socialapp.api.pagination.Pagination",
    "PAGE_SIZE": env.API_PAGE_SIZE,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.API_THROTTLE_ANON,
        "user": env.API_THROTTLE_USER,
        "auth": env.API_THROTTLE_AUTH,
        "analyses": env.API_THROTTLE_ANALYSES,
        "signup": env.SIGNUP_RATE,
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "socialapp.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "socialapp.api.schema.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "socialapp API",
    "DESCRIPTION": "Photo sharing, shop listings and translated chat.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

TORCH_THREADS = env.TORCH_THREADS
TAGGING_BACKBONE = env.TAGGING_BACKBONE
TAGGING_CHECKPOINT = env.TAGGING_CHECKPOINT
TAGGING_TTA = env.TAGGING_TTA
TAGGING_DEVICE = env.TAGGING_DEVICE
TAGGING_MAX_SUGGESTIONS = env.TAGGING_MAX_SUGGESTIONS
TAGGING_MIN_SCORE = env.TAGGING_MIN_SCORE
TAGGING_SHOP_MIN_SCORE = env.TAGGING_SHOP_MIN_SCORE
TAGGING_SAMPLING = env.TAGGING_SAMPLING
TAGGING_MIN_COUNT = env.TAGGING_MIN_COUNT
TAGGING_MAX_VOCAB = env.TAGGING_MAX_VOCAB
TAGGING_SEED = env.TAGGING_SEED

CHAT_TRANSLATION = env.CHAT_TRANSLATION
TRANSLATION_ENGINE = env.TRANSLATION_ENGINE
TRANSLATION_MODEL_EN_ES = env.TRANSLATION_MODEL_EN_ES
TRANSLATION_MODEL_ES_EN = env.TRANSLATION_MODEL_ES_EN
TRANSLATION_THREADS = env.TRANSLATION_THREADS
TRANSLATION_BATCH = env.TRANSLATION_BATCH

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Inline, a task is part of the request that queued it, and "Task ... succeeded in
        # 0.03s" says nothing (make run's seed printed 196 such lines); a failure raises in
        # that request. A worker, which sets up logging of its own, logs every task.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}

CHAT_MESSAGE_MAX = env.CHAT_MESSAGE_MAX
CHAT_RATE_MESSAGES = env.CHAT_RATE_MESSAGES
CHAT_RATE_SECONDS = env.CHAT_RATE_SECONDS
CHAT_RATE_FRAMES = env.CHAT_RATE_FRAMES

UPLOAD_MAX_BYTES = env.UPLOAD_MAX_BYTES
UPLOAD_MAX_PIXELS = env.UPLOAD_MAX_PIXELS
UPLOAD_MAX_SIDE = env.UPLOAD_MAX_SIDE
UPLOAD_MAX_DECODED_BYTES = env.UPLOAD_MAX_DECODED_BYTES
# Uploads larger than this are spooled to disk instead of memory while the request is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
