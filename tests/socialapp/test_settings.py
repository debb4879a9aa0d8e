import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# 50 characters, 36 different ones: what Django's own check (security.W009) asks of a key.
STRONG_KEY = "k7Qx2Lp9Vw4Zr8Nb3Ht6Yc1Jm5Fd0Sg-Ua_Ie+Oo=Ks!Wq@Er#"


def _check(env_overrides: dict[str, str], fail_level: str = "ERROR") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    env |= {"DJANGO_SETTINGS_MODULE": "socialapp.settings.production"} | env_overrides
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", fail_level],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_the_development_secret_key():
    result = _check({})

    assert result.returncode == 1
    assert "Set SECRET_KEY to a long random value in production" in result.stderr


def test_production_settings_start_with_secrets_from_the_environment():
    result = _check({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "social.example.com"})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("key", ["x", "x" * 60, "abcd" * 20, "django-insecure-" + STRONG_KEY])
def test_production_settings_refuse_a_short_or_guessable_secret_key(key):
    result = _check({"SECRET_KEY": key, "ALLOWED_HOSTS": "social.example.com"})

    assert result.returncode == 1
    assert "Set SECRET_KEY to a long random value in production" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "social.example.com,*", ".example.com,*"])
def test_production_settings_refuse_a_wildcard_host(hosts):
    result = _check({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": hosts})

    assert result.returncode == 1
    assert "ALLOWED_HOSTS may not contain '*'" in result.stderr


def test_production_settings_refuse_debug():
    result = _check({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "social.example.com", "DEBUG": "true"})

    assert result.returncode == 1
    assert "DEBUG must be off in production" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _check({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "social.example.com"}, fail_level="WARNING")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    response = client.get("/login/")

    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_templates_need_no_inline_script_or_style():
    # The policy allows scripts and styles only from our own files: an inline <script>,
    # an event handler attribute or a style attribute would be blocked in the browser.
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=|\sstyle=", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in inline.finditer(path.read_text())
    ]

    assert offenders == []


@pytest.mark.django_db
def test_api_docs_page_works_under_the_policy(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200
    assert "<script>" not in page.content.decode()
    assert (script.status_code, script["Content-Type"]) == (200, "application/javascript")


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
