"""Staff pages, under /staff/: the front desk, the sessions dashboard (/staff/sessions/), one session, questions
(the markdownx endpoints under /staff/markdownx/ are in portal/urls.py)."""

from django.urls import path

from portal.reading.views import frontdesk, insight, record, staff

app_name = "staff"

urlpatterns = [
    path("", frontdesk.frontdesk, name="frontdesk"),
    path("schedule/", frontdesk.frontdesk_schedule, name="schedule"),
    path("sessions/", staff.dashboard, name="dashboard"),
    path("sessions.csv", staff.sessions_csv, name="sessions_csv"),
    path("sessions/<int:pk>/", staff.session_detail, name="session"),
    path("sessions/<int:pk>/link/", staff.session_issue_link, name="issue_link"),
    path("sessions/<int:pk>/link/revoke/", staff.session_revoke_link, name="revoke_link"),
    path("sessions/<int:pk>/link/email/", staff.session_email_link, name="email_link"),
    path("sessions/<int:pk>/link/send/", frontdesk.session_send_link, name="send_link"),
    path("sessions/<int:pk>/reschedule/", frontdesk.session_reschedule, name="reschedule"),
    path("sessions/<int:pk>/cancel/", frontdesk.session_cancel, name="cancel"),
    path("sessions/<int:pk>/record/", record.record_page, name="record"),
    path("sessions/<int:pk>/record.pdf", record.record_pdf, name="record_pdf"),
    path("sessions/<int:pk>/record.fhir.json", record.record_fhir, name="record_fhir"),
    path("insight/", insight.insight_overview, name="insight"),
    path(
        "insight/questions/<str:app_label>/<str:model_name>/<int:pk>/",
        insight.insight_questions,
        name="insight_questions",
    ),
    path("questions/", staff.questions, name="questions"),
    path("questions/<int:pk>/answered/", staff.question_answered, name="question_answered"),
]
