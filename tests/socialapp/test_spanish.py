"""Spanish is in tú everywhere, Django's own messages included (locale/overrides)."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest
from django.utils import translation

from tests.conftest import unavailable
from tests.factories import UserFactory

# Words that can only be usted: the pronoun and imperatives...
USTED_CLEARLY = (
    r"usted|introduzca|introduza|asegúrese|inténtelo|seleccione|escoja|compruebe|verifique|"
    r"ingrese|desmarque|corrija|proporcione|utilice"
)
# ...and, in Django's messages (which speak to the reader), words that are usted there
# but may be a third person in ours ("sus fotos", "cuando vuelva" the connection).
USTED_IN_DJANGO = r"su|sus|vuelva|envíe|escriba|elija|marque|intente|observe|ha configurado"
USTED = re.compile(rf"\b({USTED_CLEARLY}|{USTED_IN_DJANGO})\b", re.IGNORECASE)
USTED_VERB = re.compile(rf"\b({USTED_CLEARLY})\b", re.IGNORECASE)
DJANGO = Path(django.__file__).parent
# The catalogs of the Django messages socialapp shows: forms and validators, and accounts.
CATALOGS = [
    DJANGO / "conf/locale/es/LC_MESSAGES/django.mo",
    DJANGO / "contrib/auth/locale/es/LC_MESSAGES/django.mo",
]


def _usted_messages() -> list[tuple[str, int | None]]:
    found = []
    for path in CATALOGS:
        with path.open("rb") as file:
            catalog = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        for key, text in catalog.items():
            if key and USTED.search(text):
                found.append(key if isinstance(key, tuple) else (key, None))
    return sorted({(msgid, 0 if index is not None else None) for msgid, index in found}, key=str)


def test_django_catalogs_still_have_usted_messages_to_override():
    assert len(_usted_messages()) > 40  # the check below has something to check


@pytest.mark.parametrize("count", [1, 5])
def test_every_django_message_in_usted_is_overridden_in_tu(count):
    with translation.override("es"):
        shown = {
            msgid: translation.ngettext(msgid, msgid, count)
            if index is not None
            else translation.gettext(msgid)
            for msgid, index in _usted_messages()
        }

    assert {msgid: text for msgid, text in shown.items() if USTED.search(text)} == {}


@pytest.mark.django_db
def test_a_form_error_on_the_page_is_in_tu(client):
    client.force_login(UserFactory(language="es"))

    response = client.post("/shop/new/", {"title": "Lámpara", "price": "doce", "currency": "EUR"})

    assert "Introduce un número." in response.content.decode()  # as the page was rendered


@pytest.mark.django_db
def test_login_error_is_in_tu(client):
    UserFactory(username="ana", language="es")

    page = client.post("/login/", {"username": "ana", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="es")

    assert "Introduce un nombre de usuario y una contraseña correctos." in page.content.decode()


def test_project_strings_are_in_tu():
    catalog = Path(__file__).resolve().parents[2] / "locale/es/LC_MESSAGES/django.mo"
    with catalog.open("rb") as file:
        texts = gettext.GNUTranslations(file)._catalog.values()  # type: ignore[attr-defined]

    assert [text for text in texts if USTED_VERB.search(text)] == []


def test_every_string_marked_for_translation_has_its_spanish(tmp_path):
    # makemessages over a copy of the sources, into a copy of the catalog: a string added
    # or changed without its Spanish would show in English to Spanish speakers.
    if shutil.which("msgattrib") is None:
        unavailable("GNU gettext is not installed (Debian package gettext)")
    root = Path(__file__).resolve().parents[2]
    skip = shutil.ignore_patterns("__pycache__", "*.jpg", "*.png", "*.webp", "*.pt", "*.tsv", "*.csv", "*.mo")
    for folder in ("socialapp", "tagging", "translation", "templates", "locale"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=skip)
    (tmp_path / "catalog_settings.py").write_text(
        "from socialapp.settings.test import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(tmp_path / 'locale')!r}]\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "catalog_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)]),
    }
    environment.pop("DATABASE_URL", None)
    command = [sys.executable, str(root / "manage.py"), "makemessages", "-l", "es", "--no-obsolete"]
    subprocess.run(command, cwd=tmp_path, env=environment, check=True, capture_output=True)
    catalog = tmp_path / "locale/es/LC_MESSAGES/django.po"

    missing = [
        subprocess.run(["msgattrib", flag, str(catalog)], check=True, capture_output=True, text=True).stdout
        for flag in ("--untranslated", "--only-fuzzy")
    ]
    assert [_msgids(found) for found in missing] == [[], []]


def _msgids(po: str) -> list[str]:
    """The msgids of a .po text, the header's empty one left out."""
    entries = re.findall(r'^msgid ((?:".*"\n)+)', po, re.MULTILINE)
    return [text for text in ("".join(re.findall(r'"(.*)"', e)) for e in entries) if text]
