"""Images editors upload for their pages: what is accepted, how it is stored, and which addresses pages may show.

Accepted: real PNG and JPEG images only, recognised from their content (magic bytes, then Pillow
decoding them), with no extra data after the image and no markup hidden inside, within a size limit
and a pixel limit that is checked from the header, before anything is decoded (a 150 KB PNG of
6,324 × 6,324 pixels took ~500 MB to decode). Stored: re-encoded without any metadata (EXIF with its
location, JPEG comments, PNG text, ICC profiles: colours converted to sRGB first), scaled down to
MARKDOWNX_IMAGE_MAX_SIZE, under a random name with the extension of the detected type, in
MARKDOWNX_MEDIA_PATH. Pages show images from that folder only (portal.content.markdown).
"""

import io
import re
import struct
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
# What the checker accepts: Pillow format name -> stored file extension.
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_PIXELS = 40_000_000
# Memory the decoded pixels may take (Pillow keeps 1 byte per pixel for 1/L/P images, 4 for the others).
# A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) that still fills MARKDOWNX_IMAGE_MAX_SIZE, so a
# 40-megapixel photo takes 40 MB at most; a PNG cannot be decoded at a smaller scale.
MAX_DECODED_BYTES = 64 * 1024 * 1024
ONE_BYTE_MODES = frozenset({"1", "L", "P"})
# Markup a browser could run if the file were ever served as HTML or SVG (polyglot files).
MARKUP_RE = re.compile(
    rb"<\s*(?:script|html|body|svg|iframe|object|embed|!doctype|\?php|\?xml)|javascript:", re.IGNORECASE
)
# A stored image's name under the upload folder: path segments that cannot climb out of it ("..",
# "%2e%2e", "\\"), nor carry a query or a fragment.
UPLOADED_NAME_RE = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*")
URL_IGNORED_RE = re.compile(r"[\t\n\r]")
URL_TRIMMED = "".join(map(chr, range(0x21)))

ONLY_PNG_AND_JPEG_MESSAGE = "Only PNG and JPEG images can be uploaded."
TOO_MANY_PIXELS_MESSAGE = "This image has too many pixels. Please make it smaller and upload it again."
DAMAGED_MESSAGE = "This image is damaged or incomplete. Please save it again and upload it again."
EXTRA_DATA_MESSAGE = "This file has extra data after the image. Please save it again as a plain PNG or JPEG."
MARKUP_MESSAGE = "This file contains web page code, not just an image. It cannot be uploaded."


class UploadRejected(Exception):
    """A bad upload, with a message an editor understands."""


def too_big_message(size, max_size):
    return f"Please keep images under {filesizeformat(max_size)}. This file is {filesizeformat(size)}."


# Which images pages may show ------------------------------------------------------------------------


def image_url_prefix():
    """Where uploaded images are served from: MEDIA_URL + MARKDOWNX_MEDIA_PATH, e.g. "/media/markdownx/"."""
    return f"{settings.MEDIA_URL.rstrip('/')}/{settings.MARKDOWNX_MEDIA_PATH.strip('/')}/"


def uploaded_image_url(value, *, prefix):
    """`value` as a browser reads it (tabs and newlines removed, spaces and controls trimmed) if it names a
    file in the upload folder `prefix`; None for anything else: another site, or another page of this site
    (an export, a patient link), whose address every reader's browser would fetch with their cookies."""
    url = URL_IGNORED_RE.sub("", value).strip(URL_TRIMMED)
    if url.startswith(prefix) and UPLOADED_NAME_RE.fullmatch(url[len(prefix) :]):
        return url
    return None


# Checking an upload ---------------------------------------------------------------------------------


def detect_format(data):
    """The image type from the file's first bytes (never from its name or declared type)."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if data.startswith(JPEG_SIGNATURE):
        return "JPEG"
    raise UploadRejected(ONLY_PNG_AND_JPEG_MESSAGE)


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
        raise UploadRejected(EXTRA_DATA_MESSAGE)
    if MARKUP_RE.search(data):
        raise UploadRejected(MARKUP_MESSAGE)


def _decoded_bytes(image):
    width, height = image.size
    return width * height * (1 if image.mode in ONE_BYTE_MODES else 4)


def decode_box():
    """The smallest size a JPEG may be decoded at: the box MARKDOWNX_IMAGE_MAX_SIZE fits it into, either way up."""
    side = max(settings.MARKDOWNX_IMAGE_MAX_SIZE["size"])
    return (side, side)


def read_image(upload, *, max_size, fit=None):
    """Check an uploaded file is a complete PNG or JPEG within the limits and return it decoded
    (a JPEG at a reduced scale when `fit`, a (width, height) box, is smaller than the image)."""
    if upload.size > max_size:
        raise UploadRejected(too_big_message(upload.size, max_size))
    data = upload.read(max_size + 1)
    if len(data) > max_size:
        raise UploadRejected(too_big_message(upload.size, max_size))
    image_format = detect_format(data)
    try:
        # Opening reads the header only: the pixel count is known before any pixel is decoded.
        with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise UploadRejected(TOO_MANY_PIXELS_MESSAGE)
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=[image_format])
        if image_format == "JPEG" and fit:
            # libjpeg scales while decoding (to no less than the size store_image will keep): a fraction
            # of the memory and time.
            ratio = min(fit[0] / width, fit[1] / height)
            if ratio < 1:
                image.draft(image.mode, (max(1, int(width * ratio)), max(1, int(height * ratio))))
        if _decoded_bytes(image) > MAX_DECODED_BYTES:
            raise UploadRejected(TOO_MANY_PIXELS_MESSAGE)
        image.load()  # decodes every pixel: a truncated file fails here
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UploadRejected(TOO_MANY_PIXELS_MESSAGE) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as e:
        raise UploadRejected(DAMAGED_MESSAGE) from e
    check_nothing_hidden(data, image_format)
    return image


# Storing it -----------------------------------------------------------------------------------------


def _in_srgb(image):
    """The image's colours in sRGB, so that dropping its ICC profile (which can carry free text) keeps them."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: the pixels are shown as they are


def store_image(image):
    """Re-encode (no metadata, at most MARKDOWNX_IMAGE_MAX_SIZE) under a random name; return its URL."""
    image_format = image.format
    image = ImageOps.exif_transpose(image)  # keep a photo's orientation once its EXIF is dropped
    limits = settings.MARKDOWNX_IMAGE_MAX_SIZE
    image.thumbnail(limits["size"])
    image = _in_srgb(image)
    output = io.BytesIO()
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Pillow writes a JPEG comment and an ICC profile from image.info unless told otherwise.
    image.info = {}
    if image_format == "JPEG":
        image.save(output, "JPEG", quality=limits.get("quality", 85), optimize=True, comment=b"")
    else:
        image.save(output, "PNG", optimize=True)
    name = f"{settings.MARKDOWNX_MEDIA_PATH.rstrip('/')}/{uuid.uuid4().hex}.{ACCEPTED_FORMATS[image_format]}"
    stored_name = default_storage.save(name, ContentFile(output.getvalue()))
    return default_storage.url(stored_name)
