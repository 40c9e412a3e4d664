"""Staff insight (issue 13): teach-back answers per page and sessions ready on time per week (portal.reading.insight).

- `/staff/insight/`: clinic staff (can_view_patient_data; audited): every page's questions and the weekly share.
- `/staff/insight/questions/<app>/<model>/<pk>/`: one page's question statistics for its editors and reviewers
  (can_edit_content), linked from the page's admin change page. Counts only: no patient is named.
"""

from django.apps import apps
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.audit.services import audit_record
from portal.content.models import ReviewedContent
from portal.permissions import can_edit_content, patient_data_required, staff_required
from portal.reading import insight
from portal.reading.models import PAGE_FIELDS


def _reading_list_pages():
    pages = []
    for label in PAGE_FIELDS.values():
        pages.extend(apps.get_model(label).objects.available())
    return pages


@require_safe
@patient_data_required
@never_cache
def insight_overview(request):
    weeks = insight.weekly_ready_on_time()
    pages = insight.page_question_stats(pages=_reading_list_pages())
    audit_record(request=request, action="insight.view", row_count=sum(week.sessions for week in weeks))
    context = {
        "weeks": weeks,
        "weeks_height": insight.ROW * len(weeks) + 8,
        "pages": pages,
        "bar_width": insight.BAR_WIDTH,
    }
    return render(request, "staff/insight.html", context)


@require_safe
@staff_required(can_edit_content)
@never_cache
def insight_questions(request, app_label, model_name, pk):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404("No such kind of page.") from None
    if not issubclass(model, ReviewedContent):
        raise Http404("No such kind of page.")
    content = model.objects.filter(pk=pk).first()
    if content is None:
        raise Http404("No such page.")
    stats = insight.question_stats(questions=content.live_teach_back)
    return render(
        request,
        "staff/insight_questions.html",
        {"content": content, "stats": stats, "bar_width": insight.BAR_WIDTH},
    )
