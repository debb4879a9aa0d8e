"""The one place that reads environment variables.

Everything is read once, at import, into plain module constants that settings use.
`.env.example` lists each variable with its default. A `.env` file in the project root,
if present, is read first; real environment variables win over it.
"""

from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """The variable's value, which must be one of `choices`. Raises ImproperlyConfigured."""
    value = _env.str(name, default=default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused by production settings

VAR_DIR = Path(_env.str("VAR_DIR", default=str(BASE_DIR / "var")))
DEBUG = _env.bool("DEBUG", default=True)
# Whether DEBUG was asked for explicitly: production settings refuse DEBUG=true.
DEBUG_REQUESTED = _env.bool("DEBUG", default=False)
SECRET_KEY = _env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = _env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Production only: HTTPS everywhere. Behind a proxy that terminates TLS and already
# redirects, SECURE_SSL_REDIRECT=false; it must send X-Forwarded-Proto.
SECURE_SSL_REDIRECT = _env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = _env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = _env.bool("SECURE_HSTS_PRELOAD", default=True)

DATABASE_URL = _env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
REDIS_URL = _env.str("REDIS_URL", default="")
DATABASE_POOL_SIZE = _env.int("DATABASE_POOL_SIZE", default=10)  # PostgreSQL connections per process
# A request waits at most this long for PostgreSQL: to connect, for a connection from the
# pool, and for one statement. Past it the answer is 503 with Retry-After (0: no statement limit).
DATABASE_CONNECT_TIMEOUT = _env.int("DATABASE_CONNECT_TIMEOUT", default=3)
DATABASE_POOL_TIMEOUT = _env.float("DATABASE_POOL_TIMEOUT", default=3)
DATABASE_STATEMENT_TIMEOUT = _env.int("DATABASE_STATEMENT_TIMEOUT", default=30)
# The cache (throttle counters) gives up on Redis after this long and counts in process
# memory instead, trying Redis again every REDIS_CACHE_RETRY_SECONDS.
REDIS_CACHE_TIMEOUT = _env.float("REDIS_CACHE_TIMEOUT", default=0.5)
REDIS_CACHE_RETRY_SECONDS = _env.float("REDIS_CACHE_RETRY_SECONDS", default=5)

MEDIA_ROOT = Path(_env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_SIGNED_URL_SECONDS = _env.int("MEDIA_SIGNED_URL_SECONDS", default=300)
MEDIA_ACCEL_REDIRECT = _env.str("MEDIA_ACCEL_REDIRECT", default="")  # e.g. /protected-media/ behind nginx
STATIC_ROOT = Path(_env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MODELS_DIR = Path(_env.str("MODELS_DIR", default=str(VAR_DIR / "models")))

# S3-compatible object storage (django-storages): with a bucket, every uploaded file goes
# there instead of MEDIA_ROOT. An empty endpoint means AWS itself.
AWS_STORAGE_BUCKET_NAME = _env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = _env.str("AWS_S3_ENDPOINT_URL", default="")
AWS_ACCESS_KEY_ID = _env.str("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = _env.str("AWS_SECRET_ACCESS_KEY", default="")
AWS_S3_REGION_NAME = _env.str("AWS_S3_REGION_NAME", default="us-east-1")
# Empty: "path" with an endpoint (SeaweedFS, MinIO), "virtual" on AWS.
AWS_S3_ADDRESSING_STYLE = _env.str("AWS_S3_ADDRESSING_STYLE", default="")
# Model versions and cached embeddings. Empty: the bucket's "models/" prefix with a bucket,
# else MODELS_DIR. "local": MODELS_DIR always. Anything else: that prefix in the bucket.
TAGGING_ARTIFACTS = _env.str("TAGGING_ARTIFACTS", default="")

EMAIL_URL = _env.str("EMAIL_URL", default="consolemail://")
DEFAULT_FROM_EMAIL = _env.str("DEFAULT_FROM_EMAIL", default="socialapp <noreply@localhost>")

UPLOAD_MAX_BYTES = _env.int("UPLOAD_MAX_BYTES", default=20_000_000)
UPLOAD_MAX_PIXELS = _env.int("UPLOAD_MAX_PIXELS", default=50_000_000)
UPLOAD_MAX_SIDE = _env.int("UPLOAD_MAX_SIDE", default=12_000)
UPLOAD_MAX_DECODED_BYTES = _env.int("UPLOAD_MAX_DECODED_BYTES", default=150_000_000)

CHAT_MESSAGE_MAX = _env.int("CHAT_MESSAGE_MAX", default=2000)
CHAT_RATE_MESSAGES = _env.int("CHAT_RATE_MESSAGES", default=20)
CHAT_RATE_SECONDS = _env.int("CHAT_RATE_SECONDS", default=10)
CHAT_RATE_FRAMES = _env.int("CHAT_RATE_FRAMES", default=60)

API_THROTTLE_ANON = _env.str("API_THROTTLE_ANON", default="60/min")
API_THROTTLE_USER = _env.str("API_THROTTLE_USER", default="600/min")
API_THROTTLE_AUTH = _env.str("API_THROTTLE_AUTH", default="10/min")
API_THROTTLE_ANALYSES = _env.str("API_THROTTLE_ANALYSES", default="30/min")
API_PAGE_SIZE = _env.int("API_PAGE_SIZE", default=20)
# Proxies of your own in front of the site that append to X-Forwarded-For (0: none, the
# header is ignored and REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = _env.int("TRUSTED_PROXY_COUNT", default=0)
SIGNUP_RATE = _env.str("SIGNUP_RATE", default="10/hour")
LOGIN_FAILURE_LIMIT = _env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_COOLOFF_MINUTES = _env.int("LOGIN_COOLOFF_MINUTES", default=15)
API_TOKEN_TTL_DAYS = _env.int("API_TOKEN_TTL_DAYS", default=30)  # 0: tokens never expire

TORCH_THREADS = _env.int("TORCH_THREADS", default=0)  # 0: torch's own choice
TAGGING_BACKBONE = _env.str("TAGGING_BACKBONE", default="efficientnet_lite0")
TAGGING_CHECKPOINT = _env.str("TAGGING_CHECKPOINT", default="")
TAGGING_TTA = _choice("TAGGING_TTA", "none", ("none", "flip"))
TAGGING_DEVICE = _choice("TAGGING_DEVICE", "auto", ("auto", "cpu", "cuda"))
TAGGING_MAX_SUGGESTIONS = _env.int("TAGGING_MAX_SUGGESTIONS", default=10)
TAGGING_MIN_SCORE = _env.float("TAGGING_MIN_SCORE", default=0.05)
TAGGING_SHOP_MIN_SCORE = _env.float("TAGGING_SHOP_MIN_SCORE", default=0.3)
TAGGING_SAMPLING = _env.str("TAGGING_SAMPLING", default="sqrt")
TAGGING_MIN_COUNT = _env.int("TAGGING_MIN_COUNT", default=2)
TAGGING_MAX_VOCAB = _env.int("TAGGING_MAX_VOCAB", default=5000)
TAGGING_SEED = _env.int("TAGGING_SEED", default=0)

CHAT_TRANSLATION = _env.bool("CHAT_TRANSLATION", default=True)
TRANSLATION_ENGINE = _env.str("TRANSLATION_ENGINE", default="auto")  # auto, marian, ct2, apertium
# Empty (as in .env.example) means the default folder.
TRANSLATION_MODEL_EN_ES = Path(
    _env.str("TRANSLATION_MODEL_EN_ES", default="") or MODELS_DIR / "translation" / "opus-mt-en-es"
)
TRANSLATION_MODEL_ES_EN = Path(
    _env.str("TRANSLATION_MODEL_ES_EN", default="") or MODELS_DIR / "translation" / "opus-mt-es-en"
)
TRANSLATION_THREADS = _env.int("TRANSLATION_THREADS", default=0)  # 0: the engine's own choice
TRANSLATION_BATCH = _env.int("TRANSLATION_BATCH", default=16)

CI = _env.bool("CI", default=False)


def email_config() -> dict[str, object]:
    """Django EMAIL_* settings parsed from EMAIL_URL: consolemail://, filemail:///abs/dir,
    smtp://user:password@host:587/?tls=True."""
    config = _env.email_url_config(EMAIL_URL)
    if EMAIL_URL.startswith("filemail:"):
        # django-environ drops the leading slash of an absolute path.
        config["EMAIL_FILE_PATH"] = urlparse(EMAIL_URL).path
    return config


def database_config() -> dict[str, object]:
    """Django DATABASES['default'] parsed from DATABASE_URL.

    SQLite (the default) runs in WAL mode, where readers never wait for the writer and
    a commit appends to the log instead of rewriting and syncing a journal (synchronous
    NORMAL: a power cut may lose the last commits, never corrupt the file). Transactions
    take the write lock when they begin, so two writers queue for `timeout` seconds
    instead of failing with "database is locked" halfway through."""
    config = _env.db_url_config(DATABASE_URL)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A pool per process: under ASGI Django closes its connection after every request
        # and every database_sync_to_async call, and without a pool each of those paid for
        # a new PostgreSQL connection (a backend process fork, ~5 ms of CPU on loopback).
        options = config.setdefault("OPTIONS", {})
        options["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            # Waiting for a free connection, or for PostgreSQL to come back: short, so that
            # an outage answers 503 at once instead of holding every request.
            "timeout": DATABASE_POOL_TIMEOUT,
        }
        options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
        if DATABASE_STATEMENT_TIMEOUT:
            options["options"] = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}"
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
    return config
