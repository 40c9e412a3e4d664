"""Helpers for the content-governance tests: staff in the real groups (portal/migrations/0002_staff_groups),
admin URLs of the workflow pages, the form data a person would post, and workflow steps taken through the
services (edited, submitted, published)."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.content.models import ContentStatus
from portal.content.services import content_approve, content_submit_for_review
from portal.content.tests.factories import get_uncached

PASSWORD = "a-long-test-password-42"
CHECKED = "SPRAVATO US Prescribing Information, rev. 01/2025"
_numbers = itertools.count(1)


def make_staff(username, *groups):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def as_user(user):
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def admin_url(obj, step, **kwargs):
    """Admin URL of `obj`: "change", "delete", or a workflow step ("submit", "approve", "versions", ...)."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{step}", kwargs={"object_id": obj.pk, **kwargs})


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def new_article(**fields):
    number = next(_numbers)
    fields.setdefault("title", f"Before your session {number}")
    fields.setdefault("slug", f"before-your-session-{number}")
    fields.setdefault("summary", "What happens on the day.")
    fields.setdefault("body", "## On the day\n\nYou stay at the clinic for at least two hours after each dose.")
    return Article.objects.create(**fields)


def new_entry(*, topic=None, **fields):
    number = next(_numbers)
    topic = topic or FaqTopic.objects.create(title=f"Spravato {number}", slug=f"spravato-{number}")
    fields.setdefault("question", f"Can I drive home {number}?")
    fields.setdefault("slug", f"can-i-drive-home-{number}")
    fields.setdefault("answer", "No. Do not drive until the next day, after a night of restful sleep.")
    fields.setdefault("position", number)
    return FaqEntry.objects.create(topic=topic, **fields)


def edited(content, editor, text):
    """`content` with its text changed by `editor` as the change form saves it: back to draft."""
    setattr(content, content.body_field, text)
    content.last_edited_by = editor
    content.status = ContentStatus.DRAFT
    content.save()
    return content


def submitted(content, editor):
    content_submit_for_review(content=content, by=editor)
    content.refresh_from_db()
    return content


def published(content, editor, reviewer, **approval):
    """`content` submitted by `editor` and approved by `reviewer` (`approval`: publish_at, expire_at, ...)."""
    submitted(content, editor)
    content_approve(content=content, by=reviewer, checked_against=CHECKED, **approval)
    content.refresh_from_db()
    return content


def public_article(article):
    """What an anonymous patient gets for the article's public page (never a cached copy)."""
    return get_uncached(Client(), reverse("articles:detail", kwargs={"slug": article.slug}))


def change_form_data(obj, **changes):
    """The change form as the admin shows it for `obj`, with `changes` typed in."""
    if isinstance(obj, Article):
        data = {"title": obj.title, "slug": obj.slug, "summary": obj.summary, "body": obj.body}
    else:
        data = {
            "topic": obj.topic_id,
            "question": obj.question,
            "slug": obj.slug,
            "answer": obj.answer,
            "position": obj.position,
        }
    data.update(changes)
    return data


def approve_data(obj, **overrides):
    data = {
        "checked_against": CHECKED,
        "next_review_due": (timezone.localdate() + timezone.timedelta(days=365)).isoformat(),
        "publish_at": "",
        "expire_at": "",
        "expected_hash": obj.working_hash(),
    }
    data.update(overrides)
    return data


def local_input(value):
    """A datetime as a datetime-local input sends it (clinic time zone, minutes)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
