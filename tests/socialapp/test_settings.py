import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env |= {"DJANGO_SETTINGS_MODULE": "socialapp.settings.production"} | env_overrides
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_the_development_secret_key():
    result = _check({})

    assert result.returncode == 1
    assert "Set SECRET_KEY to a long random value in production." in result.stderr


def test_production_settings_start_with_secrets_from_the_environment():
    result = _check({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "social.example.com"})

    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_unknown_api_url_is_json_404(client):
    response = client.get("/api/nothing-here/")

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert "This page isn't available" in response.content.decode()


def test_openapi_schema_builds_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    schema = (tmp_path / "schema.yml").read_text()
    assert "RegisterInputRequest:" in schema and "TokenCreateInputRequest:" in schema


SQLITE_WRITERS = """
import threading, time
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counted (n INTEGER)")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    print(mode, cursor.execute("PRAGMA synchronous").fetchone()[0])
errors = []

def writer():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM counted")  # read, then write: the classic deadlock
            time.sleep(0.2)
            cursor.execute("INSERT INTO counted VALUES (1)")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=writer) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    print(cursor.execute("SELECT count(*) FROM counted").fetchone()[0], errors)
"""


def test_default_sqlite_is_wal_and_two_writers_queue_instead_of_failing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "socialapp.settings.base", "VAR_DIR": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, "-c", SQLITE_WRITERS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    # synchronous=1 is NORMAL; both transactions committed, neither hit "database is locked".
    assert result.stdout.split("\n")[:2] == ["wal 1", "2 []"]
