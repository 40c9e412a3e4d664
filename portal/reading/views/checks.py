"""Patient pages' teach-back answers and treatment-day checklist (issue 13): plain form POSTs, no JavaScript needed.

Both go through the patient pages' gate (views.patient.patient_page: a live link session, never cached) and
redirect after a successful post (back to the question or the checklist), so reloading never answers twice.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.reading.models import ChecklistItem
from portal.reading.services import readiness
from portal.reading.services.sessions import TooManyOpenQuestions
from portal.reading.views.patient import _own_item, _render_item, patient_language, patient_page

ANSWER_PREFIX = "answer-"


def _choices(post):
    """{question key: chosen index} from the form; anything not a small number is ignored."""
    choices = {}
    for name, value in post.items():
        if name.startswith(ANSWER_PREFIX) and value.isdigit() and len(value) < 3:
            choices[name[len(ANSWER_PREFIX) :]] = int(value)
    return choices


@require_POST
@patient_page
def item_teach_back(request, pk):
    """One try at the page's open teach-back questions. A wrong answer comes back with its explanation and a link
    to the section that answers it; after a second wrong try the question is closed and flagged for staff.

    The answers are checked against the questions of the text the patient is shown now, in their language
    (readiness.teach_back_questions): if a translation was approved (or fell behind) since the page was shown,
    answers to questions no longer shown are not counted and the current questions are shown again."""
    item = _own_item(request, pk)
    record = item.reading_record
    if record is None or record.acknowledged_at is None or not record.teach_back_pending:
        return redirect(f"{reverse('patient:item', kwargs={'pk': item.pk})}#respond")
    language = patient_language(request, request.patient_session)
    state = readiness.teach_back_state(item=item, language=language)
    open_keys = {entry["question"]["key"] for entry in state if not entry["resolved"]}
    if not open_keys:  # the questions shown now are all answered (e.g. in another language): settle the flags
        readiness.teach_back_refresh(item=item, language=language)
        return _done(request, item)
    sent = _choices(request.POST)
    choices = {key: index for key, index in sent.items() if key in open_keys}
    if not choices:
        if set(sent) - {entry["question"]["key"] for entry in state}:
            error = _("The questions have changed since you opened the page. Please answer these.")
            return _render_item(request, item, teach_back_error=error, status=409)
        return _render_item(request, item, teach_back_error=_("Please choose an answer for each question."), status=400)
    progress = readiness.teach_back_answer(item=item, choices=choices, language=language)
    if all(entry["resolved"] for entry in progress):
        return _done(request, item)
    return redirect(f"{reverse('patient:item', kwargs={'pk': item.pk})}#teach-back")


def _done(request, item):
    messages.success(request, _("Thank you. “%(title)s” is done.") % {"title": item.title})
    return redirect(f"{reverse('patient:session')}#item-{item.pk}")


@require_POST
@patient_page
def checklist_answer(request, pk):
    """ "Yes" or "Not yet, I need help" for one item of the session's treatment-day checklist."""
    session = request.patient_session
    checklist_item = ChecklistItem.objects.live().filter(pk=pk, treatment_id=session.treatment_id).first()
    if checklist_item is None:
        raise Http404
    choice = request.POST.get("ready")
    if choice not in ("yes", "no"):
        messages.error(request, _("Please choose “Yes” or “Not yet, I need help”."))
        return redirect(f"{reverse('patient:session')}#checklist")
    try:
        readiness.checklist_answer(session=session, checklist_item=checklist_item, ready=choice == "yes")
    except readiness.ChecklistNotOpen:
        messages.error(request, _("The checklist is not open for this session."))
        return redirect(f"{reverse('patient:session')}#checklist")
    except TooManyOpenQuestions:
        messages.error(
            request,
            _(
                "You have sent many questions that the clinic team has not answered yet. "
                "If it is urgent, please call us."
            ),
        )
        return redirect(f"{reverse('patient:session')}#checklist")
    if choice == "yes":
        messages.success(request, _("Thank you. We have noted: “%(item)s”.") % {"item": checklist_item.approved_text})
    else:
        messages.success(
            request,
            _("Thank you for telling us. The clinic team will contact you to help before your session."),
        )
    return redirect(f"{reverse('patient:session')}#checklist-{checklist_item.pk}")
