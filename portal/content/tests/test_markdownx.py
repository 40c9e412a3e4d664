"""django-markdownx's preview and upload endpoints, mounted by us: editors only, safe output, real images only."""

import io
import json
import re
import struct
import time
import zlib

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from PIL import Image

from portal.content.tests.factories import make_user

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("markdownx_markdownify")
UPLOAD_URL = reverse("markdownx_upload")
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
IMAGE_CODE_RE = re.compile(r"^!\[Describe this image\]\((/media/markdownx/([0-9a-f]{32})\.(png|jpg))\)$")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def editor():
    user = make_user(staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def image_bytes(image_format, size=(40, 30), color=(20, 120, 140), **save_options):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def png_chunk(chunk_type, data):
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))


def upload(client, data, name="image.png", content_type="image/png"):
    return client.post(UPLOAD_URL, {"image": SimpleUploadedFile(name, data, content_type=content_type)}, **AJAX)


def rejected_with(response, words):
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["image"]
    assert words in body["image"][0], body
    return True


# Where the endpoints live -----------------------------------------------------------------------


def test_endpoints_are_where_the_widget_posts():
    assert PREVIEW_URL == settings.MARKDOWNX_URLS_PATH == "/staff/markdownx/markdownify/"
    assert UPLOAD_URL == settings.MARKDOWNX_UPLOAD_URLS_PATH == "/staff/markdownx/upload/"


@pytest.mark.parametrize("path", ["/markdownx/markdownify/", "/markdownx/upload/"])
def test_markdownx_default_urls_are_not_mounted(path):
    with pytest.raises(Resolver404):
        resolve(path)


# Preview ----------------------------------------------------------------------------------------


def test_preview_renders_with_the_sanitizing_renderer_for_editors(editor_client):
    response = editor_client.post(
        PREVIEW_URL, {"content": "## Hi\n\n<img src=x onerror=alert(1)>[x](javascript:alert(1))"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="hi">Hi</h2>' in html
    assert "onerror" not in html and "javascript" not in html
    assert "no-store" in response["Cache-Control"]


def test_preview_refuses_visitors_and_staff_who_do_not_edit_content(client):
    anonymous = client.post(PREVIEW_URL, {"content": "hello"})
    assert anonymous.status_code == 403
    assert b"log in again" in anonymous.content
    for user in (make_user(staff=False), make_user(staff=True)):  # a patient-ish account; front desk
        client.force_login(user)
        assert client.post(PREVIEW_URL, {"content": "hello"}).status_code == 403
    front_desk = make_user(staff=True)
    front_desk.groups.add(Group.objects.get(name="Clinic staff"))
    client.force_login(front_desk)
    assert client.post(PREVIEW_URL, {"content": "hello"}).status_code == 403


def test_preview_answers_get_with_405_and_a_missing_field_with_400(editor_client):
    assert editor_client.get(PREVIEW_URL).status_code == 405
    response = editor_client.post(PREVIEW_URL, {})
    assert response.status_code == 400
    assert response.content == b"Nothing to preview."


def test_preview_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(PREVIEW_URL, {"content": "hello"}).status_code == 403


def test_preview_of_text_that_stalls_the_renderer_answers_400_in_time(editor_client, settings):
    settings.CONTENT_MARKDOWN_RENDER_SECONDS = 1
    for source in ("[" * 16_000, "*[a]: " + "x" * 40_000 + "\n\n" + "a " * 30_000):  # ~38 s; 1.2 GB of HTML
        started = time.monotonic()
        response = editor_client.post(PREVIEW_URL, {"content": source})
        assert time.monotonic() - started < 3
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        # The abbreviation bomb may hit the output cap before the clock (a busy machine): both are bounded refusals.
        assert response.content.decode().startswith(
            ("This text could not be rendered in time (1 s). Simplify it", "This text grows too large once rendered")
        )


def test_preview_of_text_over_the_size_limit_answers_413(editor_client, settings):
    response = editor_client.post(PREVIEW_URL, {"content": "x" * (settings.CONTENT_MAX_MARKDOWN_BYTES + 1)})
    assert response.status_code == 413
    assert b"a page can hold at most 100.0 KB" in response.content
    assert "no-store" in response["Cache-Control"]


def test_preview_of_a_tight_definition_list_renders(editor_client):
    response = editor_client.post(PREVIEW_URL, {"content": "a\n: b\n" * 500})  # was a RecursionError: a 500
    assert response.status_code == 200
    assert response.content.count(b"<dt>a</dt>") == 500


def test_preview_says_which_images_patients_will_not_see(editor_client):
    response = editor_client.post(
        PREVIEW_URL, {"content": "![Export](/staff/sessions.csv)\n\n![Ok](/media/markdownx/a.png)"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<ul class="errorlist"><li>1 image (“/staff/sessions.csv”) will not be shown')
    assert html.endswith('<p>Export</p>\n<p><img alt="Ok" src="/media/markdownx/a.png"></p>')


def test_preview_escapes_the_addresses_it_names(editor_client):
    response = editor_client.post(PREVIEW_URL, {"content": '<img src="/x<script>alert(1)</script>" alt="a">'})
    assert b"<script" not in response.content
    assert "“/x&lt;script&gt;alert(1)&lt;/script&gt;”" in response.content.decode()


# Upload: accepted ---------------------------------------------------------------------------------


def test_png_upload_is_stored_under_a_random_name_and_answered_with_markdown(editor_client, media_root):
    response = upload(editor_client, image_bytes("PNG"), name="room.png")
    assert response.status_code == 200
    image_code = response.json()["image_code"]
    match = IMAGE_CODE_RE.match(image_code)
    assert match and match.group(3) == "png"
    stored = media_root / "markdownx" / f"{match.group(2)}.png"
    with Image.open(stored) as image:
        assert (image.format, image.size) == ("PNG", (40, 30))
    assert "room" not in image_code


def test_stored_extension_comes_from_the_content_not_the_name_or_declared_type(editor_client, media_root):
    response = upload(editor_client, image_bytes("JPEG"), name="photo.html", content_type="text/html")
    assert response.status_code == 200
    match = IMAGE_CODE_RE.match(response.json()["image_code"])
    assert match.group(3) == "jpg"
    assert [path.suffix for path in (media_root / "markdownx").iterdir()] == [".jpg"]


def test_upload_drops_metadata_such_as_gps_and_keeps_orientation(editor_client, media_root):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90°
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    response = upload(editor_client, image_bytes("JPEG", size=(60, 20), exif=exif), name="phone.jpg",
                      content_type="image/jpeg")  # fmt: skip
    assert response.status_code == 200
    path = media_root / "markdownx" / f"{IMAGE_CODE_RE.match(response.json()['image_code']).group(2)}.jpg"
    with Image.open(path) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (20, 60)  # turned upright before the orientation tag was dropped


def test_large_images_are_scaled_down(editor_client, media_root):
    response = upload(editor_client, image_bytes("PNG", size=(3200, 100)))
    path = media_root / "markdownx" / f"{IMAGE_CODE_RE.match(response.json()['image_code']).group(2)}.png"
    with Image.open(path) as image:
        assert image.size == (1600, 50)


# Upload: refused ---------------------------------------------------------------------------------


def test_html_file_is_refused(editor_client, media_root):
    assert rejected_with(upload(editor_client, b"<html><script>alert(1)</script></html>", name="x.html",
                                content_type="text/html"), "Only PNG and JPEG")  # fmt: skip
    assert rejected_with(upload(editor_client, b"<script>alert(1)</script>", name="x.png"), "Only PNG and JPEG")
    assert not (media_root / "markdownx").exists()


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>',
    ],
)
def test_svg_is_refused_even_without_script(editor_client, svg):
    assert rejected_with(upload(editor_client, svg, name="x.svg", content_type="image/svg+xml"), "Only PNG and JPEG")


def test_gif_and_webp_are_refused(editor_client):
    assert rejected_with(upload(editor_client, image_bytes("GIF"), name="x.gif", content_type="image/gif"), "Only PNG")
    webp = image_bytes("WEBP")
    assert rejected_with(upload(editor_client, webp, name="x.png"), "Only PNG and JPEG")


def test_png_with_html_appended_is_refused(editor_client, media_root):
    polyglot = image_bytes("PNG") + b"<html><script>alert(1)</script></html>"
    assert rejected_with(upload(editor_client, polyglot), "extra data after the image")
    assert not (media_root / "markdownx").exists()


def test_jpeg_with_data_after_its_end_is_refused(editor_client):
    polyglot = image_bytes("JPEG") + b"PK\x03\x04 zip archive follows"
    assert rejected_with(upload(editor_client, polyglot, name="x.jpg", content_type="image/jpeg"), "extra data")


def test_png_with_script_hidden_in_a_text_chunk_is_refused(editor_client):
    png = image_bytes("PNG")
    iend = png.rindex(b"IEND") - 4
    polyglot = png[:iend] + png_chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>") + png[iend:]
    assert rejected_with(upload(editor_client, polyglot), "web page code")


def test_jpeg_with_html_in_a_comment_is_refused(editor_client):
    jpeg = image_bytes("JPEG", comment=b"<svg onload=alert(1)>")
    assert rejected_with(upload(editor_client, jpeg, name="x.jpg", content_type="image/jpeg"), "web page code")


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_truncated_images_are_refused(editor_client, image_format):
    noisy = Image.effect_noise((200, 200), 60).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, image_format)
    data = buffer.getvalue()
    assert rejected_with(upload(editor_client, data[: len(data) // 2]), "damaged or incomplete")


def test_png_with_a_broken_checksum_is_refused(editor_client):
    data = bytearray(image_bytes("PNG"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # flip bits inside the compressed pixels; the CRC no longer matches
    assert rejected_with(upload(editor_client, bytes(data)), "damaged or incomplete")


def test_oversized_file_is_refused_with_the_limit(editor_client, settings, media_root):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1000
    noisy = Image.effect_noise((100, 100), 80)
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1000
    response = upload(editor_client, buffer.getvalue())
    assert rejected_with(response, "Please keep images under 1000\xa0bytes")
    assert not (media_root / "markdownx").exists()


def test_oversized_request_is_refused_before_it_is_read(editor_client, settings):
    settings.MARKDOWNX_UPLOAD_MAX_SIZE = 1000
    response = upload(editor_client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 200_000)
    assert rejected_with(response, "Please keep images under")


def test_image_with_too_many_pixels_is_refused(editor_client):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # small file, 48 million pixels
    assert len(buffer.getvalue()) < settings.MARKDOWNX_UPLOAD_MAX_SIZE
    assert rejected_with(upload(editor_client, buffer.getvalue()), "too many pixels")


def test_empty_file_and_missing_file_are_refused(editor_client):
    assert rejected_with(upload(editor_client, b""), "")
    response = editor_client.post(UPLOAD_URL, {}, **AJAX)
    assert rejected_with(response, "No image was uploaded.")


def test_upload_refuses_visitors_and_non_editors_with_json(client, media_root):
    response = upload(client, image_bytes("PNG"))
    assert response.status_code == 403
    assert "log in again" in json.loads(response.content)["image"][0]
    client.force_login(make_user(staff=True))
    assert upload(client, image_bytes("PNG")).status_code == 403
    assert not (media_root / "markdownx").exists()


def test_upload_needs_post_and_the_csrf_token(editor, media_root):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.get(UPLOAD_URL).status_code == 405
    assert upload(client, image_bytes("PNG")).status_code == 403
    assert not (media_root / "markdownx").exists()
