"""django-markdownx's two endpoints (live preview and image upload), staff only.

`markdownx.urls` is not included: as shipped it lets anonymous visitors use both views, passes the
client's file name extension through to storage and answers bad uploads with 500s. Here:
- the preview runs the posted Markdown through our one sanitizing renderer (portal.content.markdown,
  bounded in size and time): HTML, with what patients will not see listed above it; or a 413 / 400 with a
  short plain message, which markdownx's script shows in the preview pane like any answer;
- the upload hands the file to portal.content.uploads, which checks and stores it; a refused file gets
  a 400 with a JSON message the editor's widget can show.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.views import View

from portal.content import markdown, uploads
from portal.permissions import can_edit_content

# Multipart overhead allowed on top of the file itself before the body is refused unread.
MULTIPART_OVERHEAD = 64 * 1024
IMAGE_ALT_PROMPT = "Describe this image"


class StaffOnlyMixin:
    """Both endpoints serve the admin's Markdown editor: staff who edit content, POST only (CSRF-protected)."""

    http_method_names = ["post"]

    def denied(self):
        return HttpResponse(
            "The preview is for logged-in content editors. If your session has ended, log in again.",
            status=403,
            content_type="text/plain",
        )

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and can_edit_content(request.user)):
            return self.denied()
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def _plain(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class StaffMarkdownifyView(StaffOnlyMixin, View):
    """markdownx's live preview: the posted Markdown through our renderer."""

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return _plain("Nothing to preview.", 400)
        source = request.POST["content"]
        try:
            markdown.check_size(source)
        except markdown.MarkdownError as error:
            return _plain(str(error), 413)
        try:
            rendered = markdown.render(source)
        except markdown.MarkdownError as error:
            return _plain(str(error), 400)
        notes = ""
        if rendered.problems:  # Django admin's own error style, above the preview
            notes = format_html(
                '<ul class="errorlist">{}</ul>', format_html_join("", "<li>{}</li>", ((p,) for p in rendered.problems))
            )
        return HttpResponse(notes + rendered.html)


class StaffImageUploadView(StaffOnlyMixin, View):
    """markdownx's image upload: JSON {"image_code": "![...](url)"} or a 400 {"image": [message]}."""

    def denied(self):
        message = "Image upload is for logged-in content editors. If your session has ended, log in again."
        return JsonResponse({"image": [message]}, status=403)

    def post(self, request, *args, **kwargs):
        max_size = settings.MARKDOWNX_UPLOAD_MAX_SIZE
        try:
            declared_length = request.META.get("CONTENT_LENGTH") or "0"
            if declared_length.isdigit() and int(declared_length) > max_size + MULTIPART_OVERHEAD:
                raise uploads.UploadRejected(uploads.too_big_message(int(declared_length), max_size))
            upload = request.FILES.get("image")
            if upload is None:
                raise uploads.UploadRejected("No image was uploaded.")
            image = uploads.read_image(upload, max_size=max_size, fit=uploads.decode_box())
            url = uploads.store_image(image)
        except uploads.UploadRejected as rejected:
            return JsonResponse({"image": [str(rejected)]}, status=400)
        return JsonResponse({"image_code": f"![{IMAGE_ALT_PROMPT}]({url})"})
