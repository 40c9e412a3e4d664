"""Every page type is valid HTML, as the Nu Html Checker (vnu, the W3C validator) sees it.

The pages are rendered through the real stack (test client, real database, the demo content plus a page
using every Markdown feature editors have), written to files and checked in one run of vnu.jar (npm
`vnu-jar`, pinned in e2e/package-lock.json; Java 17). Errors fail the test; warnings are reported only.
"""

import io
import json
import re
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from e2e.factories import published_article, staff_user
from portal.reading.models import PatientQuestion, SessionItem, TreatmentSession

VNU = Path(__file__).resolve().parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

EVERY_FEATURE = """Sample content for demonstration. This is not medical advice.

## Before you come

Call us at [(555) 010-0100](tel:(555) 010-0100) or text [988](tel:988). Read the
[label](https://www.spravato.com/) too.

| Time | What happens |
|---|---|
| 0 min | First spray |
| 40 min | Blood pressure check |

### A list

1. Eat nothing for 2 hours.
2. Drink nothing for 30 minutes.

- Bring a friend.
- Plan a ride home.

> Ask us anything.

Term
: A word explained.

`code` and **bold** and *italic*.

---

## Respond
"""


def rendered_pages(tmp_path):
    """(label, file) of every page type, rendered by the test client."""
    out = io.StringIO()
    call_command("load_demo", "--force", "--base-url", "http://testserver", stdout=out)
    token = re.search(r"/p/([A-Za-z0-9_-]{40,})/", out.getvalue()).group(1)
    reviewer = staff_user("html-reviewer", "Clinical reviewer")
    features = published_article(
        title="Every feature", slug="every-feature", summary="All the Markdown.", body=EVERY_FEATURE, by=reviewer
    )

    public = Client()
    pages = {
        "home": public.get(reverse("home")),
        "article list": public.get(reverse("articles:list")),
        "article with every feature": public.get(features.get_absolute_url()),
        "faq index": public.get(reverse("faq:index")),
        "search form": public.get(reverse("search")),
        "search results": public.get(reverse("search") + "?q=ride+home"),
        "search without results": public.get(reverse("search") + "?q=zzzzqqq"),
        "search too long": public.get(reverse("search") + "?q=" + "a" * 200),
        "page not found": public.get("/articles/no-such-page/"),
        "invalid patient link": public.get(reverse("patient:open", kwargs={"token": "x" * 43})),
    }
    from articles.models import Article
    from faq.models import FaqTopic

    for article in Article.objects.published():
        pages[f"article {article.slug}"] = public.get(article.get_absolute_url())
    for topic in FaqTopic.objects.available():
        pages[f"faq topic {topic.slug}"] = public.get(topic.get_absolute_url())
    # The same public pages in Spanish (/es/...), with their hreflang alternates and language switch.
    for label, url in [(label, response.wsgi_request.get_full_path()) for label, response in list(pages.items())]:
        if not label.startswith("invalid patient link"):
            pages[f"{label} (es)"] = public.get("/es" + url)
    pages |= stale_translation_pages(public)

    patient = Client()
    patient.get(reverse("patient:open", kwargs={"token": token}))
    session = TreatmentSession.objects.get(token_hash__isnull=False, patient__reference="DEMO-0001")
    items = list(SessionItem.objects.filter(session=session).order_by("position"))
    pages["patient reading list"] = patient.get(reverse("patient:session"))
    for item in items:
        pages[f"patient item {item.position}"] = patient.get(reverse("patient:item", kwargs={"pk": item.pk}))
    pages["patient question form error"] = patient.post(reverse("patient:question", kwargs={"pk": items[0].pk}))
    pages["patient item of another session"] = patient.get(reverse("patient:item", kwargs={"pk": 10**9}))
    session.patient.preferred_language = "es"
    session.patient.save()
    pages["patient reading list in Spanish"] = patient.get(reverse("patient:session"))
    for item in items:
        pages[f"patient item {item.position} in Spanish"] = patient.get(reverse("patient:item", kwargs={"pk": item.pk}))
    PatientQuestion.objects.create(item=items[0], text="Can I bring my child?")
    # Issue 13: an acknowledged page with its teach-back questions, one answered wrong; the checklist.
    first_page = pages[f"patient item {items[0].position}"].content.decode()
    shown = re.search(r'name="shown" value="([^"]+)"', first_page).group(1)
    patient.post(reverse("patient:acknowledge", kwargs={"pk": items[0].pk}), {"shown": shown})
    wrong = {f"answer-{question['key']}": 1 - question["answer"] for question in items[0].page.teach_back_questions}
    patient.post(reverse("patient:teach_back", kwargs={"pk": items[0].pk}), wrong)
    pages["patient teach-back after a wrong answer"] = patient.get(reverse("patient:item", kwargs={"pk": items[0].pk}))
    pages["patient reading list with checklist"] = patient.get(reverse("patient:session"))

    staff = Client()
    staff.force_login(staff_user("html-frontdesk", "Clinic staff"))
    pages["staff dashboard"] = staff.get(reverse("staff:dashboard"))
    pages["staff dashboard bad range"] = staff.get(reverse("staff:dashboard") + "?from=2026-12-10&to=2026-12-01")
    pages["staff session"] = staff.get(session.get_absolute_url())
    pages["staff session with a new link"] = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk}))
    pages["staff questions"] = staff.get(reverse("staff:questions"))
    pages["front desk"] = staff.get(reverse("staff:frontdesk"), {"q": "DEMO"})
    pages["front desk form errors"] = staff.post(reverse("staff:schedule"), {"date": "x"})
    pages["staff education record"] = staff.get(reverse("staff:record", kwargs={"pk": session.pk}))
    pages["staff insight"] = staff.get(reverse("staff:insight"))
    editor = Client()
    editor.force_login(staff_user("html-editor", "Editor"))
    pages["staff page question statistics"] = editor.get(
        reverse("staff:insight_questions", args=["articles", "article", items[0].page.pk])
    )

    files = []
    for label, response in pages.items():
        assert response.status_code in (200, 400, 404), (label, response.status_code)
        path = tmp_path / (re.sub(r"\W+", "-", label) + ".html")
        path.write_bytes(response.content)
        files.append((label, path))
    return files


def stale_translation_pages(public):
    """A Spanish article page whose translation is behind a material change of its source: the English page with
    the note."""
    from django.core.cache import caches
    from django.utils import translation

    from articles.models import ArticleTranslation
    from portal.content.services import content_publish

    stale = ArticleTranslation.objects.select_related("source").first().source
    stale.body += "\n\nA new sentence."
    stale.save()
    content_publish(content=stale, by=None, material_change=True)
    caches["pages"].clear()
    with translation.override("en"):  # a Spanish request before this one may have left Spanish active
        path = stale.get_absolute_url()
    pages = {f"article {stale.slug} in Spanish, translation out of date": public.get("/es" + path)}
    assert b'data-fallback="out_of_date"' in next(iter(pages.values())).content
    return pages


def test_every_page_type_is_valid_html(db, tmp_path):
    files = rendered_pages(tmp_path)
    completed = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *(str(path) for _, path in files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(completed.stderr)["messages"]
    label_of = {path.as_uri(): label for label, path in files}
    errors = [
        f"{label_of.get(message.get('url'), message.get('url'))}: line {message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error"
    ]
    assert len(files) >= 25
    assert errors == [], "\n".join(errors)
