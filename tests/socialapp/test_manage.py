"""manage.py as a stranger first runs it: a command that needs the database, run before
`migrate`, says what to do instead of printing a traceback."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "socialapp" / "demo" / "data" / "photos" / "dev_001.jpg"


def _manage(var_dir: Path, *arguments: str) -> subprocess.CompletedProcess:
    # The default set-up: SQLite under VAR_DIR, tasks inline (no DATABASE_URL, no REDIS_URL).
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "socialapp.settings.base"}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_command_run_before_migrate_says_to_migrate(tmp_path):
    result = _manage(tmp_path, "suggest_tags", str(PHOTO))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "run `python manage.py migrate`" in result.stderr
    assert "no such table" in result.stderr  # what the database said, for whoever needs it


def test_after_migrate_the_same_command_runs(tmp_path):
    assert _manage(tmp_path, "migrate", "-v0").returncode == 0

    result = _manage(tmp_path, "suggest_tags", str(PHOTO), "--json")

    assert result.returncode == 0, result.stderr
    assert '"hashtags"' in result.stdout
