"""Staff insight (issue 13): how patients answer each page's teach-back questions, and the share of sessions that
were ready on time, week by week. Reads only; the charts are drawn by the templates from the numbers made here
(server-rendered SVG with a label and a count on every bar, so they read without colour; a table says the same).
"""

import dataclasses
import datetime

from django.db.models import Count, Max
from django.utils import timezone

from portal.reading.models import (
    ChecklistAnswer,
    PatientQuestion,
    SessionItem,
    SessionStatus,
    TeachBackAnswer,
    TreatmentSession,
)

BAR_WIDTH = 320  # px of the longest bar in the charts
ROW = 28  # px of one bar's row


@dataclasses.dataclass(frozen=True)
class ChoiceCount:
    text: str
    right: bool
    first_try: int  # patients who picked it on their first try
    bar: int  # its bar's length in the chart, px
    y: int  # its row's position in the chart, px


@dataclasses.dataclass(frozen=True)
class QuestionStats:
    question: str
    section: str
    patients: int  # patients (session items) who answered it
    second_try: int  # patients who needed a second try
    needed_help: int  # wrong on both tries
    choices: list

    @property
    def chart_height(self):
        return ROW * len(self.choices) + 8


def _answer_counts(keys):
    return list(
        TeachBackAnswer.objects.filter(question_key__in=keys)
        .values("question_key", "attempt", "choice", "correct")
        .annotate(n=Count("pk"))
    )


def question_stats(*, questions: list[dict], rows: list[dict] | None = None) -> list[QuestionStats]:
    """For each teach-back question (portal.content.teachback dicts, e.g. a page's live_teach_back): how many
    answered it, how many needed a second try or help, and which answer they picked first. One query (none when
    given the `rows` of _answer_counts)."""
    if rows is None:
        rows = _answer_counts([question["key"] for question in questions])
    first, second, helped, patients = {}, {}, {}, {}
    for row in rows:
        key = row["question_key"]
        if row["attempt"] == 1:
            first[(key, row["choice"])] = first.get((key, row["choice"]), 0) + row["n"]
            patients[key] = patients.get(key, 0) + row["n"]
        elif row["attempt"] == 2:
            second[key] = second.get(key, 0) + row["n"]
            if not row["correct"]:
                helped[key] = helped.get(key, 0) + row["n"]
    stats = []
    for question in questions:
        key = question["key"]
        counts = [first.get((key, index), 0) for index in range(len(question["choices"]))]
        longest = max(counts + [1])
        stats.append(
            QuestionStats(
                question=question["question"],
                section=question["section"],
                patients=patients.get(key, 0),
                second_try=second.get(key, 0),
                needed_help=helped.get(key, 0),
                choices=[
                    ChoiceCount(
                        text, index == question["answer"], count, round(BAR_WIDTH * count / longest), ROW * index
                    )
                    for index, (text, count) in enumerate(zip(question["choices"], counts, strict=True))
                ],
            )
        )
    return stats


def page_question_stats(*, pages) -> list[tuple[object, list[QuestionStats]]]:
    """(page, its question stats) for pages to read that have teach-back questions: one query for the answers of
    them all (an FAQ topic page reads its entries' questions with one query of its own)."""
    asked = [(page, page.teach_back_questions) for page in pages]
    asked = [(page, questions) for page, questions in asked if questions]
    rows = _answer_counts([question["key"] for _page, questions in asked for question in questions])
    return [(page, question_stats(questions=questions, rows=rows)) for page, questions in asked]


@dataclasses.dataclass(frozen=True)
class WeekReadiness:
    week: datetime.date  # its Monday
    sessions: int
    on_time: int
    bar: int  # px
    y: int  # its row's position in the chart, px

    @property
    def percent(self):
        return round(100 * self.on_time / self.sessions) if self.sessions else 0


def weekly_ready_on_time(*, weeks: int = 8, now: datetime.datetime | None = None) -> list[WeekReadiness]:
    """Per week (oldest first), of the sessions held (not cancelled) in the last `weeks` weeks: how many were ready
    (SessionQuerySet.not_ready_q) with everything that made them ready done before the session began: the last
    acknowledgement, teach-back answer, checklist "Yes" and staff answer to a question. Five queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_monday = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    start = timezone.make_aware(datetime.datetime.combine(first_monday, datetime.time()))
    held = TreatmentSession.objects.between(start, now).exclude(status=SessionStatus.CANCELLED)
    sessions = list(held.values("pk", "scheduled_at"))
    ready = set(held.ready().values_list("pk", flat=True))
    ids = [session["pk"] for session in sessions]
    last = {}
    for rows in (
        SessionItem.objects.filter(session_id__in=ids, required=True)
        .values("session_id")
        .annotate(t=Max("record__acknowledged_at")),
        SessionItem.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(t=Max("teach_back_answers__answered_at")),
        ChecklistAnswer.objects.filter(session_id__in=ids).values("session_id").annotate(t=Max("answered_at")),
        PatientQuestion.objects.filter(item__session_id__in=ids)
        .values("item__session_id")
        .annotate(t=Max("answered_at")),
    ):
        for row in rows:
            session_id = row.get("session_id", row.get("item__session_id"))
            if row["t"] is not None:
                last[session_id] = max(last.get(session_id, row["t"]), row["t"])
    counts = {}
    for session in sessions:
        week = timezone.localdate(session["scheduled_at"])
        week -= datetime.timedelta(days=week.weekday())
        total, on_time = counts.get(week, (0, 0))
        in_time = session["pk"] in ready and last.get(session["pk"], session["scheduled_at"]) <= session["scheduled_at"]
        counts[week] = (total + 1, on_time + in_time)
    result = []
    for number in range(weeks):
        week = first_monday + datetime.timedelta(days=7 * number)
        total, on_time = counts.get(week, (0, 0))
        bar = round(BAR_WIDTH * on_time / total) if total else 0
        result.append(WeekReadiness(week, total, on_time, bar, ROW * number))
    return result
