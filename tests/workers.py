"""Real Celery worker processes for `services` tests."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_database_url() -> str:
    """DATABASE_URL of the test database, for a worker or server process to use."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_start(
    *, queue: str, env: dict[str, str], pool: str = "prefork", loglevel: str = "WARNING"
) -> "subprocess.Popen[bytes]":
    """`celery -A socialapp worker` on `queue` only (one process or pool child), with
    `env` over this environment and production settings. Its stderr is kept for asserts."""
    return subprocess.Popen(
        [
            Path(sys.executable).parent / "celery",
            "-A",
            "socialapp",
            "worker",
            "-Q",
            queue,
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            f"--loglevel={loglevel}",
        ],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "socialapp.settings.base"} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
