"""Webhooks of the text-message provider, under /sms/ (no login: each request is signed by the provider)."""

from django.urls import path

from portal.reading.views import sms

app_name = "sms"

urlpatterns = [
    path("twilio/inbound/", sms.twilio_inbound, name="twilio_inbound"),
]
