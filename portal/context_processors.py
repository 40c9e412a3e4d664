from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from portal.phone import phone_href


def clinic(request):
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_href": phone_href(settings.CLINIC_PHONE),
    }


def languages(request):
    """The page's language and, for the language switch and hreflang links, the same page in each language.

    On a public page each language has its own address (/es/…): `language_links` are plain links to it, so the
    switch works without JavaScript and without a cookie (public pages are cached whole for visitors without
    one). Pages with a single address (patient, staff) switch with a form instead (patient/_language_switch.html).
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    links = []
    if getattr(request, "resolver_match", None) is not None:  # not on a 404 page: it has no other address
        path = request.get_full_path()
        urls = {code: translate_url(path, code) for code, _ in settings.LANGUAGES}
        if len(set(urls.values())) > 1:  # a page with one address in every language has no alternates
            links = [
                {"code": code, "name": name, "url": urls[code], "absolute_url": request.build_absolute_uri(urls[code])}
                for code, name in settings.LANGUAGES
            ]
    # Each language by its own name ("Español" on an English page), as the switch offers it.
    return {"page_language": current, "language_links": links, "all_languages": settings.LANGUAGES}
