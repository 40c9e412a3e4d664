"""Article translations in the admin (written, reviewed, flagged out of date) and on the public page in Spanish."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from articles.models import ArticleTranslation
from portal.content.models import ContentStatus
from portal.content.services import content_publish
from portal.content.tests.factories import get_uncached, make_article, make_article_translation
from portal.content.tests.governance_helpers import add_url, admin_url, approve_data, as_user, changelist_url

pytestmark = pytest.mark.django_db

SPANISH_BODY = "## En la clínica\n\nUsted se queda en la clínica dos horas. Una enfermera lo cuida."


def new_source_version(article, *, material):
    article.body += " A new sentence."
    article.save()
    content_publish(content=article, by=None, material_change=material)
    article.refresh_from_db()


def spanish_page(article):
    with translation.override("es"):
        return get_uncached(Client(), reverse("articles:detail", kwargs={"slug": article.slug}))


def test_an_editor_writes_a_translation_with_the_markdown_editor(editor):
    article = make_article(publish=True)
    browser = as_user(editor)
    form = browser.get(add_url(ArticleTranslation) + f"?source={article.pk}&language=es")
    assert form.status_code == 200
    html = form.content.decode()
    assert "markdownx" in html and f'value="{article.published_version}"' in html
    response = browser.post(
        add_url(ArticleTranslation),
        {
            "source": article.pk,
            "language": "es",
            "source_version": article.published_version,
            "title": "Antes de su sesión",
            "summary": "Qué pasa ese día.",
            "body": SPANISH_BODY,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = ArticleTranslation.objects.get(source=article, language="es")
    assert made.status == ContentStatus.DRAFT and made.last_edited_by == editor


def test_a_bad_source_in_the_add_link_is_ignored(editor):
    assert as_user(editor).get(add_url(ArticleTranslation) + "?source=abc&language=zz").status_code == 200


def test_a_source_version_the_source_never_published_is_a_form_error(editor):
    article = make_article(publish=True)
    response = as_user(editor).post(
        add_url(ArticleTranslation),
        {"source": article.pk, "language": "es", "source_version": 7, "title": "T", "summary": "S", "body": "B"},
    )
    assert response.status_code == 200
    assert "Choose a published version of the source" in response.content.decode()


def test_the_translator_cannot_approve_and_another_reviewer_can(reviewer, second_reviewer, editor):
    article = make_article(publish=True)
    made = make_article_translation(source=article, body=SPANISH_BODY, last_edited_by=reviewer)
    assert as_user(editor).post(admin_url(made, "submit")).status_code == 302
    made.refresh_from_db()
    own = as_user(reviewer).get(admin_url(made, "approve"))
    assert "four-eyes" in own.content.decode()
    response = as_user(second_reviewer).post(admin_url(made, "approve"), approve_data(made))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.published_version == 1 and made.approved_by == second_reviewer
    versions = as_user(second_reviewer).get(admin_url(made, "versions"))
    assert versions.status_code == 200 and "Version 1" in versions.content.decode()


def test_the_change_page_shows_spanish_readability(editor):
    article = make_article(publish=True)
    made = make_article_translation(source=article, body=SPANISH_BODY)
    page = as_user(editor).get(admin_url(made, "change")).content.decode()
    assert "Szigriszt-Pazos" in page and str(made.readability_grade) in page


def test_out_of_date_translations_are_flagged_to_staff_with_a_link_to_the_source_diff(editor):
    article = make_article(publish=True)
    made = make_article_translation(source=article, publish=True)
    current = make_article_translation(source=make_article(publish=True), publish=True)
    new_source_version(article, material=False)
    browser = as_user(editor)
    listing = browser.get(changelist_url(ArticleTranslation)).content.decode()
    assert "Out of date" in listing
    filtered = browser.get(changelist_url(ArticleTranslation) + "?source_state=out_of_date").content.decode()
    assert made.title in filtered and current.title not in filtered
    change = browser.get(admin_url(made, "change")).content.decode()
    diff_link = admin_url(article, "compare") + "?old=1&amp;new=2"
    assert "Out of date: made from version 1, the source is at version 2" in change and diff_link in change
    assert browser.get(admin_url(article, "compare") + "?old=1&new=2").status_code == 200


def test_after_a_material_change_staff_are_told_patients_get_the_source(editor):
    article = make_article(publish=True)
    made = make_article_translation(source=article, publish=True)
    new_source_version(article, material=True)
    browser = as_user(editor)
    change = browser.get(admin_url(made, "change")).content.decode()
    assert "Patients get the source page with a note" in change
    filtered = browser.get(changelist_url(ArticleTranslation) + "?source_state=material").content.decode()
    assert made.title in filtered
    source_page = browser.get(admin_url(article, "change")).content.decode()
    assert "Out of date after a material change" in source_page


def test_the_source_change_page_offers_a_translation(editor):
    article = make_article(publish=True)
    page = as_user(editor).get(admin_url(article, "change")).content.decode()
    assert f"?source={article.pk}&amp;language=es" in page


def test_staff_preview_a_translation_in_its_language(editor):
    article = make_article(publish=True)
    make_article_translation(source=article, title="Vista previa", body=SPANISH_BODY)
    url = reverse("articles:translation_preview", kwargs={"slug": article.slug, "language": "es"})
    response = as_user(editor).get(url)
    assert response.status_code == 200 and "Vista previa" in response.content.decode()
    assert 'lang="es"' in response.content.decode()
    assert Client().get(url).status_code == 302  # not for visitors
    missing = reverse("articles:translation_preview", kwargs={"slug": article.slug, "language": "fr"})
    assert as_user(editor).get(missing).status_code == 404


def test_the_public_page_in_spanish_shows_the_current_translation():
    article = make_article(publish=True)
    make_article_translation(source=article, title="Antes de su sesión", body=SPANISH_BODY, publish=True)
    html = spanish_page(article).content.decode()
    assert "Antes de su sesión" in html and "Una enfermera lo cuida" in html
    assert 'lang="es"' in html and "translation-note" not in html
    english = get_uncached(Client(), reverse("articles:detail", kwargs={"slug": article.slug})).content.decode()
    assert "Antes de su sesión" not in english


def test_the_public_page_keeps_a_translation_after_a_non_material_change():
    article = make_article(publish=True)
    make_article_translation(source=article, title="Antes de su sesión", publish=True)
    new_source_version(article, material=False)
    html = spanish_page(article).content.decode()
    assert "Antes de su sesión" in html and "translation-note" not in html


def test_after_a_material_change_the_public_page_shows_the_source_with_a_note_and_the_phone(settings):
    settings.CLINIC_PHONE = "555-0100"
    article = make_article(publish=True)
    make_article_translation(source=article, title="Texto viejo", publish=True)
    new_source_version(article, material=True)
    html = spanish_page(article).content.decode()
    assert "Texto viejo" not in html and "A new sentence." in html
    assert 'class="notice notice-warning translation-note" lang="es" data-fallback="out_of_date"' in html
    assert "555-0100" in html
    assert '<article class="article" lang="en">' in html


def test_the_article_list_says_which_translations_are_out_of_date_in_one_query(editor, django_assert_max_num_queries):
    stale = make_article(publish=True, title="Stale one")
    make_article_translation(source=stale, publish=True)
    new_source_version(stale, material=True)
    current = make_article(publish=True, title="Current one")
    make_article_translation(source=current, publish=True)
    browser = as_user(editor)
    from articles.models import Article

    listing = browser.get(changelist_url(Article)).content.decode()
    assert "es ⚠ out of date (material change)" in listing
    for _ in range(5):
        make_article_translation(source=make_article(publish=True), publish=True)
    with django_assert_max_num_queries(30) as counted:
        browser.get(changelist_url(Article))
    few = len(counted)
    for _ in range(5):
        make_article_translation(source=make_article(publish=True), publish=True)
    with django_assert_max_num_queries(few):
        browser.get(changelist_url(Article))
