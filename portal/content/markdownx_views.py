"""django-markdownx's two endpoints (live preview and image upload), staff only.

`markdownx.urls` is not included: as shipped it lets anonymous visitors use both views, passes the
client's file name extension through to storage and answers bad uploads with 500s. Here:
- the preview is markdownx's own view (it calls MARKDOWNX_MARKDOWNIFY_FUNCTION, our one sanitizing
  renderer), behind the staff check;
- the upload accepts only real PNG and JPEG images, recognised from their content (magic bytes, then
  Pillow fully decoding them), with no extra data after the image and no markup hidden inside; it
  re-encodes them without metadata (no EXIF location), scaled down to MARKDOWNX_IMAGE_MAX_SIZE, and
  stores them under a random name with the extension of the detected type. Anything else gets a 400
  with a JSON message the editor's widget can show.
"""

import io
import re
import struct
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers
from django.views import View
from markdownx.views import MarkdownifyView
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.permissions import can_edit_content

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
# Pillow format name -> stored file extension.
EXTENSIONS = {"PNG": "png", "JPEG": "jpg"}
MAX_PIXELS = 40_000_000
# Multipart overhead allowed on top of the file itself before the body is refused unread.
MULTIPART_OVERHEAD = 64 * 1024
# Markup a browser could run if the file were ever served as HTML or SVG (polyglot files).
MARKUP_RE = re.compile(
    rb"<\s*(?:script|html|body|svg|iframe|object|embed|!doctype|\?php|\?xml)|javascript:", re.IGNORECASE
)
IMAGE_ALT_PROMPT = "Describe this image"
TOO_MANY_PIXELS_MESSAGE = "This image has too many pixels. Please make it smaller and upload it again."
DAMAGED_MESSAGE = "This image is damaged or incomplete. Please save it again and upload it again."


class UploadRejected(Exception):
    """A bad upload, with a message an editor understands."""


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


class StaffMarkdownifyView(StaffOnlyMixin, MarkdownifyView):
    """markdownx's live preview: the posted Markdown through our renderer."""

    def post(self, request, *args, **kwargs):
        if "content" not in request.POST:
            return HttpResponse("Nothing to preview.", status=400, content_type="text/plain")
        return super().post(request, *args, **kwargs)


class StaffImageUploadView(StaffOnlyMixin, View):
    """markdownx's image upload: JSON {"image_code": "![...](url)"} or a 400 {"image": [message]}."""

    def denied(self):
        message = "Image upload is for logged-in content editors. If your session has ended, log in again."
        return JsonResponse({"image": [message]}, status=403)

    def post(self, request, *args, **kwargs):
        try:
            max_size = settings.MARKDOWNX_UPLOAD_MAX_SIZE
            declared_length = request.META.get("CONTENT_LENGTH") or "0"
            if declared_length.isdigit() and int(declared_length) > max_size + MULTIPART_OVERHEAD:
                raise UploadRejected(_too_big_message(int(declared_length), max_size))
            upload = request.FILES.get("image")
            if upload is None:
                raise UploadRejected("No image was uploaded.")
            url = store_image(read_image(upload, max_size=max_size))
        except UploadRejected as rejected:
            return JsonResponse({"image": [str(rejected)]}, status=400)
        return JsonResponse({"image_code": f"![{IMAGE_ALT_PROMPT}]({url})"})


def _too_big_message(size, max_size):
    return f"Please keep images under {filesizeformat(max_size)}. This file is {filesizeformat(size)}."


def detect_format(data):
    """The image type from the file's first bytes (never from its name or declared type)."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(JPEG_SIGNATURE):
        return "JPEG"
    raise UploadRejected("Only PNG and JPEG images can be uploaded.")


def _png_end(data):
    """Offset just after the IEND chunk; raises UploadRejected if the chunk structure is broken."""
    offset = len(PNG_SIGNATURE)
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        chunk_type = data[offset + 4 : offset + 8]
        offset += 12 + length
        if chunk_type == b"IEND":
            return offset
    raise UploadRejected(DAMAGED_MESSAGE)


def check_nothing_hidden(data, image_format):
    """Refuse files that are also something else: data after the image's end, or markup inside."""
    if image_format == "PNG":
        end = _png_end(data)
    else:
        trimmed = data.rstrip(b"\x00")
        end = len(trimmed) if trimmed.endswith(JPEG_END) else -1
    if end == -1 or end > len(data) or data[end:].strip(b"\x00"):
        raise UploadRejected("This file has extra data after the image. Please save it again as a plain PNG or JPEG.")
    if MARKUP_RE.search(data):
        raise UploadRejected("This file contains web page code, not just an image. It cannot be uploaded.")


def read_image(upload, *, max_size):
    """Check an uploaded file is a complete PNG or JPEG within the limits and return it decoded."""
    if upload.size > max_size:
        raise UploadRejected(_too_big_message(upload.size, max_size))
    data = upload.read(max_size + 1)
    if len(data) > max_size:
        raise UploadRejected(_too_big_message(upload.size, max_size))
    image_format = detect_format(data)
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise UploadRejected(TOO_MANY_PIXELS_MESSAGE)
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=[image_format])
        image.load()  # decodes every pixel: a truncated file fails here
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UploadRejected(TOO_MANY_PIXELS_MESSAGE) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as e:
        raise UploadRejected(DAMAGED_MESSAGE) from e
    check_nothing_hidden(data, image_format)
    return image


def store_image(image):
    """Re-encode (no metadata, at most MARKDOWNX_IMAGE_MAX_SIZE) under a random name; return its URL."""
    image_format = image.format
    image = ImageOps.exif_transpose(image)  # keep a photo's orientation once its EXIF is dropped
    limits = settings.MARKDOWNX_IMAGE_MAX_SIZE
    image.thumbnail(limits["size"])
    output = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=limits.get("quality", 85), optimize=True)
    else:
        image.save(output, "PNG", optimize=True)
    name = f"{settings.MARKDOWNX_MEDIA_PATH.rstrip('/')}/{uuid.uuid4().hex}.{EXTENSIONS[image_format]}"
    stored_name = default_storage.save(name, ContentFile(output.getvalue()))
    return default_storage.url(stored_name)
