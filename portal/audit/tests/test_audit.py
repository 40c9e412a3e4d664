"""The audit log of staff access to patient data is append-only: the model refuses changes and deletes, the
admin is read-only for everyone, only users with audit.view_auditevent see it, and rows outlive users."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from portal.audit.models import AuditEvent, AuditLogIsAppendOnly
from portal.audit.services import audit_record
from portal.content.tests.governance_helpers import as_user, make_staff


@pytest.fixture
def nurse(db):
    return make_staff("nina.nurse", "Clinic staff")


@pytest.fixture
def event(nurse):
    request = RequestFactory().get("/staff/", REMOTE_ADDR="10.0.0.7")
    request.user = nurse
    return audit_record(request=request, action="dashboard.view", filters={"day": "2026-11-27"}, row_count=12)


@pytest.fixture
def auditor(db):
    user = make_staff("ada.auditor")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_auditevent"))
    return user


def test_audit_record_copies_user_name_action_filters_rows_and_ip(event, nurse):
    event.refresh_from_db()
    assert (event.user, event.username, event.action) == (nurse, "nina.nurse", "dashboard.view")
    assert event.filters == {"day": "2026-11-27"} and event.row_count == 12
    assert event.ip_address == "10.0.0.7"
    assert event.created_at is not None


class TestTheModelRefusesChanges:
    def test_saving_an_existing_event_is_refused(self, event):
        event.action = "nothing.happened"
        with pytest.raises(AuditLogIsAppendOnly):
            event.save()
        event.refresh_from_db()
        assert event.action == "dashboard.view"

    def test_deleting_an_event_is_refused(self, event):
        with pytest.raises(AuditLogIsAppendOnly):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_queryset_update_and_delete_are_refused(self, event):
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.all().delete()
        with pytest.raises(AuditLogIsAppendOnly):
            AuditEvent.objects.bulk_update([event], ["action"])
        event.refresh_from_db()
        assert event.action == "dashboard.view"
        assert AuditEvent.objects.count() == 1

    def test_nobody_can_be_given_add_change_or_delete_permissions(self, db):
        codenames = set(Permission.objects.filter(content_type__model="auditevent").values_list("codename", flat=True))
        assert "view_auditevent" in codenames
        assert not codenames & {"add_auditevent", "change_auditevent", "delete_auditevent"}


def test_rows_survive_the_deletion_of_the_user(event, nurse, admin_user):
    as_user(admin_user).post(reverse("admin:auth_user_delete", args=[nurse.pk]), {"post": "yes"})
    assert not get_user_model().objects.filter(pk=nurse.pk).exists()
    event.refresh_from_db()
    assert event.user is None
    assert event.username == "nina.nurse"
    assert event.action == "dashboard.view"


class TestTheAdmin:
    def test_users_with_the_permission_can_review_the_log(self, event, auditor):
        response = as_user(auditor).get(reverse("admin:audit_auditevent_changelist"))
        assert response.status_code == 200
        assert "nina.nurse" in response.content.decode()
        assert as_user(auditor).get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200

    def test_staff_without_the_permission_cannot(self, event, nurse):
        client = as_user(nurse)
        assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
        assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 403
        assert reverse("admin:audit_auditevent_changelist") not in client.get(reverse("admin:index")).content.decode()

    def test_even_a_superuser_cannot_add_change_or_delete(self, event, admin_user):
        client = as_user(admin_user)
        assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
        assert client.post(reverse("admin:audit_auditevent_add"), {"username": "x", "action": "y"}).status_code == 403
        change = client.post(
            reverse("admin:audit_auditevent_change", args=[event.pk]), {"username": "x", "action": "edited"}
        )
        assert change.status_code == 403
        assert (
            client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        )
        listing = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
        assert "delete_selected" not in listing and reverse("admin:audit_auditevent_add") not in listing
        event.refresh_from_db()
        assert event.action == "dashboard.view"

    def test_looking_at_the_log_is_itself_logged(self, event, auditor):
        as_user(auditor).get(reverse("admin:audit_auditevent_changelist"), {"action": "dashboard.view"})
        looked = AuditEvent.objects.filter(action="audit_log.view").get()
        assert looked.username == "ada.auditor"
        assert looked.filters == {"action": "dashboard.view"}
