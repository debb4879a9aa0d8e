"""manage.py as a stranger first runs it: a command that needs the database, run before
`migrate`, says what to do instead of printing a traceback."""

from tests.servers import ROOT, manage

PHOTO = ROOT / "socialapp" / "demo" / "data" / "photos" / "dev_001.jpg"


def test_a_command_run_before_migrate_says_to_migrate(tmp_path):
    result = manage(tmp_path, "suggest_tags", str(PHOTO))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "run `python manage.py migrate`" in result.stderr
    assert "no such table" in result.stderr  # what the database said, for whoever needs it


def test_after_migrate_the_same_command_runs(tmp_path):
    assert manage(tmp_path, "migrate", "-v0").returncode == 0

    result = manage(tmp_path, "suggest_tags", str(PHOTO), "--json")

    assert result.returncode == 0, result.stderr
    assert '"hashtags"' in result.stdout
