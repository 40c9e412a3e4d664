"""No untranslated interface string (README, "Languages"): every template's text is marked for translation, the
Spanish catalogue has every marked string (none empty, none fuzzy), and the public and patient pages rendered in
Spanish show none of the English interface text."""

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from portal.content.tests.factories import make_article, make_entry, make_topic
from portal.reading.tests.factories import (
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
    open_link,
)

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
SPANISH_PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Templates whose text is not for people: none today (a name here needs a reason).
NOT_CHECKED = ()
# Attributes a person reads or hears (screen readers).
READ_ATTRIBUTES_RE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
PLACEHOLDER = "\x00"
# Regions whose text is not read as is: comments, and strings already marked (the catalogue checks them).
CLASS_BLOCKS = (["block", "body_class"], ["block", "main_class"], ["block", "bodyclass"])  # CSS class names
SKIPPED_BLOCKS = {"comment": "endcomment", "blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
WORD_RE = re.compile(r"[A-Za-z]{2,}")


# The catalogue -------------------------------------------------------------------------------------------


def po_entries(text):
    """(msgid, [msgstr...], flags) of each entry of a PO file (the header excluded)."""
    entries, current, key, flags = [], None, None, []

    def unquote(value):
        return value[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")

    for line in text.splitlines() + [""]:
        if line.startswith("#,"):
            flags = [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr", "msgctxt ")):
            name, _, value = line.partition(" ")
            if name == "msgid":
                if current:
                    entries.append(current)
                current = {"msgid": "", "msgstr": [], "flags": flags}
                flags = []
            key = name
            if name.startswith("msgstr"):
                current["msgstr"].append(unquote(value))
            elif name == "msgid":
                current["msgid"] = unquote(value)
        elif line.startswith('"') and current is not None:
            if key.startswith("msgstr"):
                current["msgstr"][-1] += unquote(line)
            elif key == "msgid":
                current["msgid"] += unquote(line)
    if current:
        entries.append(current)
    return [entry for entry in entries if entry["msgid"]]


def spanish_entries():
    return po_entries(SPANISH_PO.read_text(encoding="utf-8"))


def test_every_spanish_entry_is_translated_and_none_is_fuzzy():
    entries = spanish_entries()
    assert len(entries) > 250
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])] == []


def test_the_spanish_catalogue_compiles_cleanly():
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(SPANISH_PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_placeholders_are_kept_in_every_translation():
    for entry in spanish_entries():
        expected = sorted(re.findall(r"%\(\w+\)[sdr]", entry["msgid"]))
        for msgstr in entry["msgstr"]:
            assert sorted(re.findall(r"%\(\w+\)[sdr]", msgstr)) == expected, entry["msgid"]


@pytest.fixture(scope="module")
def extracted_msgids(tmp_path_factory):
    """The msgids makemessages finds in the sources today, from a copy of the project (the real .po is not touched)."""
    copy = tmp_path_factory.mktemp("project")
    ignore = shutil.ignore_patterns("tests", "__pycache__", "*.pyc", "node_modules", "*.mo")
    for name in ("portal", "articles", "faq", "templates", "locale"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "--no-obsolete"],
        cwd=copy,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "DJANGO_DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {e["msgid"] for e in po_entries((copy / "locale/es/LC_MESSAGES/django.po").read_text(encoding="utf-8"))}


def test_the_spanish_catalogue_has_every_string_the_code_marks(extracted_msgids):
    in_catalogue = {entry["msgid"] for entry in spanish_entries()}
    assert sorted(extracted_msgids - in_catalogue) == [], "run `make messages` and translate the new entries"


def test_the_spanish_catalogue_has_no_string_the_code_no_longer_marks(extracted_msgids):
    in_catalogue = {entry["msgid"] for entry in spanish_entries()}
    assert sorted(in_catalogue - extracted_msgids) == []


# Templates -----------------------------------------------------------------------------------------------


def unmarked_text(source):
    """English a person would read in a template's source outside {% translate %} / {% blocktranslate %}.

    The source is rebuilt with every tag and variable as a placeholder (a marked string included), so that HTML
    tags split by template tags stay whole; then the text between HTML tags, and the attributes people read or
    hear, must hold no words."""
    rebuilt, skipping = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skipping is None and name in SKIPPED_BLOCKS:
                skipping = SKIPPED_BLOCKS[name]
            elif skipping is not None and name == skipping:
                skipping = None
            elif skipping is None and token.contents.split()[:2] in CLASS_BLOCKS:
                skipping = "endblock"  # a CSS class name, not text
            rebuilt.append(PLACEHOLDER)
        elif token.token_type == TokenType.VAR:
            rebuilt.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT and not skipping:
            rebuilt.append(token.contents)
    text = re.sub(r"<!--.*?-->", "", "".join(rebuilt), flags=re.S)
    found = []
    for tag in re.findall(r"<[^>]*>", text):
        found += [value for value in READ_ATTRIBUTES_RE.findall(tag) if WORD_RE.search(value)]
    words = html.unescape(re.sub(r"<[^>]*>", PLACEHOLDER, text))
    found += [part.strip() for part in re.split(rf"{PLACEHOLDER}|\n", words) if WORD_RE.search(part)]
    return found


def checked_templates():
    for path in sorted(TEMPLATES.rglob("*")):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.suffix in (".html", ".txt") and name not in NOT_CHECKED:
            yield name


@pytest.mark.parametrize("name", list(checked_templates()))
def test_every_template_string_is_marked_for_translation(name):
    assert unmarked_text((TEMPLATES / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("<p>Hello there</p>", ["Hello there"]),
        ('<nav aria-label="Main">{% translate "Home" %}</nav>', ["Main"]),
        ("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}", []),
        ("{% comment %}Notes for developers{% endcomment %}{# and these #}", []),
        ('<a class="tel" href="{{ url }}">{{ phone }}</a> · ', []),
    ],
)
def test_the_template_check_finds_unmarked_text(source, expected):
    assert unmarked_text(source) == expected


# Pages in Spanish ----------------------------------------------------------------------------------------


def english_interface_strings():
    """English msgids long enough not to be mistaken for content (articles and questions stay in their language)."""
    strings = set()
    for entry in spanish_entries():
        text = re.sub(r"<[^>]+>", "", entry["msgid"]).replace("&amp;", "&")
        for part in re.split(r"%\(\w+\)[sdr]", text):
            if len(part.split()) >= 4 and entry["msgstr"][0] != entry["msgid"]:
                strings.add(part.strip(" .,:;"))
    return strings


def visible_text(page):
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def spanish_pages(db):
    caches["pages"].clear()
    article = make_article(publish=True, title="Dia", slug="dia", summary="Resumen.")
    topic = make_topic(title="Visita", slug="visita")
    make_entry(topic=topic, publish=True, question="¿Qué traigo?", slug="traer", answer="Una lista.")
    treatment = make_treatment(make_reading_article(title="Cómo funciona"), make_reading_topic(title="Preguntas"))
    session, token = make_session(treatment=treatment, patient=make_patient(preferred_language="es"))
    patient = Client()
    open_link(patient, token)
    items = list(session.items.order_by("position"))
    pages = {}
    anonymous = Client()
    for path in ("/es/", "/es/articles/", f"/es{article.get_absolute_url()}", "/es/faq/", "/es/faq/visita/"):
        pages[path] = anonymous.get(path)
    for path in ("/es/search/", "/es/search/?q=lista", "/es/search/?q=zzzz", "/es/nothing-here/"):
        pages[path] = anonymous.get(path)
    pages["link that does not work"] = Client().get("/p/no-such-token/", headers={"accept-language": "es"})
    pages["reading list"] = patient.get(reverse("patient:session"))
    for item in items:
        pages[f"item {item.position}"] = patient.get(reverse("patient:item", kwargs={"pk": item.pk}))
    pages["not on the list"] = patient.get(reverse("patient:item", kwargs={"pk": 999999}))
    left = Client()
    open_link(left, token)
    left.post(reverse("patient:sign_out"))
    pages["signed out"] = left.get(reverse("patient:signed_out"), headers={"accept-language": "es"})
    request = RequestFactory().get("/es/")
    with translation.override("es"):
        for name in ("400.html", "403.html", "403_csrf.html", "404.html", "500.html", "patient/too_many_tries.html"):
            pages[name] = render_to_string(name, request=request if name != "500.html" else None)
    return pages


def test_public_and_patient_pages_in_spanish_show_no_english_interface_text(spanish_pages):
    english = english_interface_strings()
    assert len(english) > 50
    for name, page in spanish_pages.items():
        content = page if isinstance(page, str) else page.content.decode()
        assert '<html lang="es">' in content, name
        text = visible_text(content)
        leftovers = sorted(phrase for phrase in english if phrase in text)
        assert leftovers == [], f"{name}: {leftovers}"
