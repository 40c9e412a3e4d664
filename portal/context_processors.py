from django.conf import settings

from portal.phone import phone_href


def clinic(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_href": phone_href(settings.CLINIC_PHONE),
    }
