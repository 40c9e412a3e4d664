"""Patient pages, under /p/. The fixed paths come before /p/<token>/ so that no token can shadow them."""

from django.urls import path

from portal.reading.views import checks, patient

app_name = "patient"

urlpatterns = [
    path("session/", patient.session_overview, name="session"),
    path("items/<int:pk>/", patient.item_detail, name="item"),
    path("items/<int:pk>/acknowledge/", patient.item_acknowledge, name="acknowledge"),
    path("items/<int:pk>/question/", patient.item_question, name="question"),
    path("items/<int:pk>/progress/", patient.item_progress, name="progress"),
    path("items/<int:pk>/teach-back/", checks.item_teach_back, name="teach_back"),
    path("checklist/<int:pk>/", checks.checklist_answer, name="checklist_answer"),
    path("sign-out/", patient.sign_out, name="sign_out"),
    path("signed-out/", patient.signed_out, name="signed_out"),
    path("stop-link/", patient.stop_link, name="stop_link"),
    path("language/", patient.switch_language, name="language"),
    path("<str:token>/", patient.open_link, name="open"),
]
