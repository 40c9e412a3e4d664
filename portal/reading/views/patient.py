"""Patient pages: the private link, the reading list, each page with its "read / question" form, the beacon.

A patient has no account. The link /p/<token>/ is traded once per browser for a Django session that
remembers the treatment session and the link it came from; the browser is then redirected to clean
URLs without the token. Re-issuing or revoking the link, or its expiry, ends every such browser
session too, because each request checks that the remembered link is still the session's valid one.

Nothing here writes on a GET (an image tag on any page, or a crawler, can make one): "opened" comes from
the page's beacon or from the acknowledgement / question it posts, each carrying the signed version and
time the page was shown (portal.reading.shown).

Referrer-Policy: the response to the URL that carries the token says `no-referrer`, so the token never
leaves in a Referer header. The issue text asks for `no-referrer` on every patient page; we follow
DESIGN.md instead and send `same-origin` on the clean pages (whose URLs hold no secret): under
`no-referrer` Chromium posts forms and beacons with `Origin: null`, which Django's CSRF check refuses
(see NOTES.md). Cross-origin requests still get no Referer at all under `same-origin`.

Language: the pages, their messages and errors are in the patient's `preferred_language` (set by staff), unless
the patient switched language on their pages (`switch_language`): that choice is kept in their browser session
only and does not change `preferred_language`, which also decides the language of the clinic's emails and texts
(a tap on a shared tablet must not change them). A browser without a patient session (a link that does not work)
gets the language it asks for (Accept-Language), or English.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal import ratelimit
from portal.audit.services import audit_record
from portal.reading import selectors
from portal.reading.forms import ProgressReportForm, QuestionForm
from portal.reading.models import ItemState
from portal.reading.services import readiness
from portal.reading.services import sessions as services
from portal.reading.shown import page_shown_now, read_shown, sign_shown

logger = logging.getLogger(__name__)

SESSION_KEY = "patient_session_id"
LINK_HASH_KEY = "patient_link_hash"
# After "Leave on this device": the link this browser left, kept only so that it can be stopped from here.
LEFT_LINK_KEY = "patient_left_link"
MAX_BEACON_BYTES = 4096
# The link this browser holds, also in a signed cookie of its own (set with the session on the token exchange),
# so that the beacon, the busiest patient request, reads no Django session: see item_progress.
LINK_COOKIE = "patient_link"
LINK_COOKIE_SALT = "portal.reading.patient_link"
# The language the patient chose with the switch on their pages (this browser session only; see module docs).
LANGUAGE_KEY = "patient_language"


def page_changed_notice():
    return _("This page was updated while you were reading it. Please read the new version below, then tell us again.")


def shown_unknown_notice():
    return _("We could not tell which version of this page you read. Please read it below, then tell us again.")


def patient_language(request, session=None):
    """The language of this patient's pages: their own choice on these pages, else `preferred_language`, else
    what the browser asks for (no patient session)."""
    languages = dict(settings.LANGUAGES)
    chosen = request.session.get(LANGUAGE_KEY)
    if chosen in languages:
        return chosen
    if session is not None and session.patient.preferred_language in languages:
        return session.patient.preferred_language
    return translation.get_language_from_request(request)


def in_patient_language(view):
    """Run the view (and render its page, messages and errors) in the patient's language; the patient session is
    looked up by the view, so the language is settled as soon as it is known (`_use_language`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(patient_language(request)):
            request.LANGUAGE_CODE = translation.get_language()
            response = view(request, *args, **kwargs)
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    return wrapper


def _use_language(request, session):
    """Switch to the patient's language once their session is known (inside in_patient_language's override)."""
    language = patient_language(request, session)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def link_invalid(request, status=404):
    """The one answer for unknown, expired and revoked links, and for a browser whose link has ended."""
    return render(request, "patient/link_invalid.html", status=status)


def _held_link(request):
    """(treatment session id, link hash) this browser holds, or None; reads only the Django session."""
    session_id = request.session.get(SESSION_KEY)
    link_hash = request.session.get(LINK_HASH_KEY)
    return (session_id, link_hash) if session_id and link_hash else None


def _current_session(request):
    held = _held_link(request)
    return None if held is None else selectors.patient_session(session_id=held[0], link_hash=held[1])


def patient_page(view):
    """Patient pages: need a live link session; never cached; Referer only to this site (see module docs)."""

    @wraps(view)
    @never_cache
    @in_patient_language
    def wrapper(request, *args, **kwargs):
        request.patient_session = _current_session(request)
        if request.patient_session is not None:
            _use_language(request, request.patient_session)
        if request.patient_session is None:
            response = link_invalid(request)
        else:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                response = render(request, "patient/not_found.html", {"session": request.patient_session}, status=404)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


@require_safe
@never_cache
@in_patient_language
def open_link(request, token):
    """/p/<token>/: trade a valid token for a patient session and redirect to a URL without it.

    The token is looked up first: a valid one always works (256 random bits cannot be guessed, so there is
    nothing to slow down), however many wrong tries came from the same address (a shared proxy, or a web
    page full of hidden image tags pointing here). Only unknown tokens are counted, and answered 429 once
    the address has made too many."""
    session = selectors.session_for_token(token=token)
    if session is None:
        if ratelimit.link_guessing_blocked(request):
            logger.warning("Wrong patient links refused: too many from %s", ratelimit.client_address(request))
            response = render(request, "patient/too_many_tries.html", status=429)
            response["Retry-After"] = str(settings.PATIENT_LINK_BAD_TRY_WINDOW_SECONDS)
            return _no_referrer(response)
        count = ratelimit.count_bad_try(request)
        logger.info("Wrong patient link (%d in this window) from %s", count, ratelimit.client_address(request))
        return _no_referrer(link_invalid(request))
    request.session.cycle_key()  # a new session key for the new privilege (no session fixation)
    request.session.pop(LEFT_LINK_KEY, None)
    request.session[SESSION_KEY] = session.pk
    request.session[LINK_HASH_KEY] = session.token_hash
    response = redirect("patient:session")
    response.set_signed_cookie(
        LINK_COOKIE,
        f"{session.pk}:{session.token_hash}",
        salt=LINK_COOKIE_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        path=_patient_path(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return _no_referrer(response)


def _patient_path():
    """The patient pages' URL prefix ("/p/"): the link cookie goes only there."""
    return reverse("patient:session").rstrip("/").rsplit("/", 1)[0] + "/"


def _cookie_link(request):
    """(treatment session id, link hash) from the signed link cookie, or None (missing, forged or too old)."""
    value = request.get_signed_cookie(LINK_COOKIE, None, salt=LINK_COOKIE_SALT, max_age=settings.SESSION_COOKIE_AGE)
    session_id, _, link_hash = (value or "").partition(":")
    return (int(session_id), link_hash) if session_id.isdigit() and link_hash else None


@require_safe
@patient_page
def session_overview(request):
    session = request.patient_session
    items = selectors.patient_items(session=session, language=patient_language(request, session))
    required = [item for item in items if item.required]
    done = [item for item in required if item.is_done]
    return render(
        request,
        "patient/session.html",
        {
            "session": session,
            "items": items,
            "required_count": len(required),
            "done_count": len(done),
            "ready": len(done) == len(required),
            "states": ItemState,
            # The treatment-day checklist (views.checks posts the answers).
            "checklist": readiness.session_checklist(session=session),
            "checklist_open": readiness.checklist_is_open(session=session),
            "checklist_opens_at": readiness.checklist_opens_at(session=session),
        },
    )


def _render_item(request, item, *, items=None, question_form=None, page_notice="", teach_back_error="", status=200):
    """The item page, with the version it shows (and when) signed into its forms and beacon. Writes nothing.
    `items`: the session's items, if the caller has them already."""
    page = item.page
    available = page.is_available
    language = patient_language(request, request.patient_session)
    items = items if items is not None else selectors.patient_items(session=request.patient_session, language=language)
    reading = selectors.page_in_language(page=page, language=language) if available else None
    shown = (
        page_shown_now(page, language=reading.language, translation_version=reading.translation_version)
        if available
        else None
    )
    position = next(index for index, other in enumerate(items) if other.pk == item.pk)
    context = {
        "session": request.patient_session,
        "item": item,
        "record": item.reading_record,
        "available": available,
        "page": page,
        # A topic page shows its live questions; an article its live text, each in the patient's language when
        # its translation is current (selectors.page_in_language).
        "reading": reading,
        "entries": reading.entries if available else [],
        "shown": sign_shown(item=item, shown=shown) if available else "",
        "page_notice": page_notice,
        "question_form": question_form or QuestionForm(),
        "next_item": items[position + 1] if position + 1 < len(items) else None,
        "position": position + 1,
        "count": len(items),
        "states": ItemState,
        # Teach-back questions after "I have read and understood this" (views.checks posts the answers).
        "teach_back": readiness.teach_back_state(item=item, reading=reading)
        if available and item.reading_record
        else [],
        "teach_back_error": teach_back_error,
    }
    return render(request, "patient/item.html", context, status=status)


def _own_item(request, pk):
    """Only items of the patient's own session; any other id is a 404."""
    item = selectors.patient_item(
        session=request.patient_session, pk=pk, language=patient_language(request, request.patient_session)
    )
    if item is None:
        raise Http404
    return item


@require_safe
@never_cache
@in_patient_language
def item_detail(request, pk):
    """The most viewed patient page, so it does not go through @patient_page: one query loads the session's
    items with the link checked in it (selectors.patient_item_page), and the page is rendered from them. The
    answers are @patient_page's: an ended link gets link_invalid, an item of another session a 404."""
    held = _held_link(request)
    chosen = request.session.get(LANGUAGE_KEY)  # the switch's choice, else the patient's preferred language
    items = [] if held is None else selectors.patient_item_page(session_id=held[0], link_hash=held[1], language=chosen)
    item = next((item for item in items if item.pk == pk), None)
    if item is None:
        response = _refusal(request)
    else:
        request.patient_session = item.session
        _use_language(request, item.session)
        response = _render_item(request, item, items=items)
    response["Referrer-Policy"] = "same-origin"
    return response


def _refusal(request):
    """Nothing to show (an ended link, or an item of another session): answer as every patient page does."""
    request.patient_session = _current_session(request)
    if request.patient_session is None:
        return link_invalid(request)
    _use_language(request, request.patient_session)
    return render(request, "patient/not_found.html", {"session": request.patient_session}, status=404)


@require_POST
@patient_page
def item_acknowledge(request, pk):
    """Acknowledges the version the form says was shown; if a material change came after it (or the form
    does not say), nothing is acknowledged and the patient sees the current text with a note."""
    item = _own_item(request, pk)
    shown = read_shown(request.POST.get("shown"), item=item)
    if shown is None:
        return _render_item(request, item, page_notice=shown_unknown_notice(), status=400)
    try:
        record = services.record_acknowledge(item=item, shown=shown)
    except services.PageChangedSinceShown:
        return _render_item(request, item, page_notice=page_changed_notice(), status=409)
    if record.teach_back_pending:  # the page's teach-back questions come next (views.checks)
        return redirect(f"{reverse('patient:item', kwargs={'pk': item.pk})}#teach-back")
    messages.success(request, _("Thank you. “%(title)s” is marked as read.") % {"title": item.title})
    return redirect(f"{reverse('patient:session')}#item-{item.pk}")


@require_POST
@patient_page
def item_question(request, pk):
    item = _own_item(request, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _render_item(request, item, question_form=form, status=400)
    try:
        services.record_ask_question(
            item=item, text=form.cleaned_data["text"], shown=read_shown(request.POST.get("shown"), item=item)
        )
    except services.TooManyOpenQuestions:
        form.add_error(
            "text",
            _(
                "You have sent %(count)d questions that the clinic team has not answered yet. They will answer them "
                "at or before your session; if it is urgent, please call us."
            )
            % {"count": services.MAX_OPEN_QUESTIONS_PER_SESSION},
        )
        return _render_item(request, item, question_form=form, status=429)
    messages.success(
        request,
        _("Thank you. Your question has gone to the clinic team; they will answer it at or before your session."),
    )
    return redirect(f"{reverse('patient:item', kwargs={'pk': item.pk})}#respond")


@require_POST
@never_cache
def item_progress(request, pk):
    """Beacon endpoint for static/js/progress.js: 204 when counted (or already counted), 400 for bad input.

    The busiest patient URL, so it does not go through @patient_page: the body is checked before any query,
    then one query loads the item only if it belongs to the session whose link this browser holds and that
    link still works (the same rules as every patient page), then one write transaction records the report.
    The held link comes from the signed link cookie, so the Django session is not even read (a browser
    without that cookie, e.g. one that opened its link before it existed, falls back to the session). The
    cookie is dropped on "Leave on this device"; a copy kept elsewhere can only add reading time, and only
    while the link works (revoking or re-issuing it stops that at once, as for every patient page)."""
    held = _cookie_link(request) or _held_link(request)
    response = link_invalid(request) if held is None else _progress_response(request, pk, *held)
    response["Referrer-Policy"] = "same-origin"
    return response


item_progress.staff_session_unused = True  # see portal.middleware.StaffIdleTimeoutMiddleware


def _progress_response(request, pk, session_id, link_hash):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest(_("Bad request."), content_type="text/plain")
    if length > MAX_BEACON_BYTES:
        return HttpResponseBadRequest(_("Report too large."), content_type="text/plain")
    form = ProgressReportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Malformed report."), content_type="text/plain")
    item = selectors.beacon_item(session_id=session_id, link_hash=link_hash, pk=pk)
    if item is None:
        return _refusal(request)  # nothing counted
    services.record_progress(
        item=item,
        client_id=form.cleaned_data["client_id"],
        seconds=form.cleaned_data["seconds"],
        reached_end=form.cleaned_data["reached_end"],
        # A report whose signed value does not check out (e.g. made before a key change) still counts its seconds.
        shown=read_shown(form.cleaned_data["shown"], item=item) if form.cleaned_data["shown"] else None,
    )
    return HttpResponse(status=204)


# Leaving --------------------------------------------------------------------------------------------


@require_POST
@never_cache
def sign_out(request):
    """Forget the link on this device (e.g. a shared tablet). The link itself keeps working (it is in the
    browser's history, the email, the card): the page after this says so and offers to stop it."""
    held = _held_link(request)
    request.session.pop(SESSION_KEY, None)
    request.session.pop(LINK_HASH_KEY, None)
    request.session.cycle_key()
    if held is not None:
        request.session[LEFT_LINK_KEY] = list(held)
    response = redirect("patient:signed_out")
    response.delete_cookie(LINK_COOKIE, path=_patient_path(), samesite="Lax")
    return response


def _left_session(request):
    left = request.session.get(LEFT_LINK_KEY)
    if not (isinstance(left, list) and len(left) == 2):
        return None
    return selectors.patient_session(session_id=left[0], link_hash=left[1])


@require_safe
@never_cache
@in_patient_language
def signed_out(request):
    response = render(request, "patient/signed_out.html", {"link_to_stop": _left_session(request) is not None})
    response["Referrer-Policy"] = "same-origin"
    return response


@require_POST
@never_cache
@in_patient_language
def stop_link(request):
    """Revoke the link this browser left: it stops working everywhere; the clinic can issue a new one.
    Recorded in the audit log as done by the patient (no staff user)."""
    session = _left_session(request)
    request.session.pop(LEFT_LINK_KEY, None)
    if session is None:
        messages.info(request, _("There is no working link to stop on this device."))
    else:
        services.session_revoke_link(session=session)
        audit_record(request=request, action="link.revoke_by_patient", subject=f"session={session.pk}")
        messages.success(
            request,
            _(
                "Your link is stopped: it no longer opens your reading list, on any device. "
                "Ask the clinic for a new link when you want to read again."
            ),
        )
    return redirect("patient:signed_out")


@require_POST
@never_cache
def switch_language(request):
    """The language switch on patient pages (a form, no JavaScript): remembered for this browser session only
    (see the module docs), then back to the page it was on. An unknown language is a 400."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain")
    request.session[LANGUAGE_KEY] = language
    back = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not allowed or not back.startswith(_patient_path()):
        back = reverse("patient:session")
    response = redirect(back)
    response["Referrer-Policy"] = "same-origin"
    return response
