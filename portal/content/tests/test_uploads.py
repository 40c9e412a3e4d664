"""portal.content.uploads: stored images carry no free text, and pixel bombs are refused before decoding.

Through the real upload endpoint (test_markdownx.py has the rest of its behaviour), and, for memory, in a
fresh process whose peak memory is measured."""

import io
import re
import struct
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms, PngImagePlugin

from portal.content import uploads
from portal.content.tests.factories import make_user
from portal.tests.django_subprocess import clean_env, run_django

UPLOAD_URL = reverse("markdownx_upload")
IMAGE_CODE_RE = re.compile(r"^!\[Describe this image\]\(/media/markdownx/([0-9a-f]{32}\.(?:png|jpg))\)$")
FREE_TEXT = b"Photo of Jane Doe, room 4, taken by nurse Bob"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def editor_client(client, db):
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    return client


def stored_file(client, media_root, data, name):
    response = client.post(
        UPLOAD_URL, {"image": SimpleUploadedFile(name, data)}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 200, response.content
    return media_root / "markdownx" / IMAGE_CODE_RE.match(response.json()["image_code"]).group(1)


def saved(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def png_of(width, height, *, color_type=2, bit_depth=8):
    """A valid PNG of zero pixels written row by row, so that the test never holds the decoded image."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)
    compressor, idat = zlib.compressobj(9), []
    for _ in range(height):
        idat.append(compressor.compress(row))
    idat.append(compressor.flush())

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    palette = chunk(b"PLTE", b"\x00\x00\x00") if color_type == 3 else b""
    return (
        uploads.PNG_SIGNATURE + chunk(b"IHDR", header) + palette + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b"")
    )


def test_a_jpeg_comment_of_free_text_is_not_stored(editor_client, media_root):
    data = saved(Image.new("RGB", (40, 30), (200, 10, 10)), "JPEG", comment=FREE_TEXT)
    assert Image.open(io.BytesIO(data)).info["comment"] == FREE_TEXT  # Pillow would copy it when re-saving
    path = stored_file(editor_client, media_root, data, "photo.jpg")
    with Image.open(path) as stored:
        assert "comment" not in stored.info
    assert b"Jane" not in path.read_bytes()


def test_png_text_chunks_are_not_stored(editor_client, media_root):
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", FREE_TEXT.decode())
    text.add_itxt("Description", "Jane Doe's scan", zip=True)
    path = stored_file(editor_client, media_root, saved(Image.new("RGB", (40, 30)), "PNG", pnginfo=text), "a.png")
    with Image.open(path) as stored:
        assert stored.text == {}
    assert b"Jane" not in path.read_bytes()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_icc_profiles_are_dropped_after_converting_to_srgb(editor_client, media_root, image_format):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()  # any profile with text in it
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = saved(Image.new("RGB", (40, 30), (30, 140, 200)), image_format, icc_profile=srgb)
    assert profile and Image.open(io.BytesIO(data)).info.get("icc_profile") == srgb
    path = stored_file(editor_client, media_root, data, f"a.{image_format.lower()}")
    with Image.open(path) as stored:
        assert "icc_profile" not in stored.info
        red, green, blue = stored.convert("RGB").getpixel((20, 15))
        assert abs(red - 30) <= 3 and abs(green - 140) <= 3 and abs(blue - 200) <= 3


def test_a_small_png_of_6324_by_6324_pixels_is_refused_before_decoding(editor_client, media_root):
    data = png_of(6324, 6324)  # 40 million pixels, 160 MB decoded (~500 MB while storing), ~120 KB on disk
    assert len(data) < 200_000 and uploads.MAX_PIXELS >= 6324 * 6324
    response = editor_client.post(UPLOAD_URL, {"image": SimpleUploadedFile("bomb.png", data)})
    assert response.status_code == 400
    assert "too many pixels" in response.json()["image"][0]
    assert not (media_root / "markdownx").exists()


def test_checking_that_png_takes_little_memory(tmp_path):
    """Measured in a fresh process: its peak memory stays near a bare Django's (before: ~500 MB)."""
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_of(6324, 6324))
    code = f"""
import resource
from django.core.files.uploadedfile import SimpleUploadedFile
from portal.content import uploads
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
upload = SimpleUploadedFile("bomb.png", open({str(bomb)!r}, "rb").read())
try:
    uploads.store_image(uploads.read_image(upload, max_size=2 * 1024 * 1024, fit=uploads.decode_box()))
    outcome = "stored"
except uploads.UploadRejected as rejected:
    outcome = str(rejected)
result = {{"outcome": outcome, "extra_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) / 1024}}
"""
    result = run_django(code, env=clean_env(DJANGO_DEBUG="true", DJANGO_MEDIA_ROOT=str(tmp_path)))
    assert result["outcome"] == uploads.TOO_MANY_PIXELS_MESSAGE
    assert result["extra_mb"] < 30, result


@pytest.mark.parametrize(
    ("size", "color_type", "accepted"),
    [
        ((4096, 4096), 6, True),  # RGBA, 64 MB decoded: at the limit
        ((4097, 4096), 6, False),
        ((8000, 5000), 0, True),  # greyscale, 1 byte a pixel: 40 MB
        ((6000, 6000), 3, True),  # palette: 36 MB
        ((5000, 4000), 2, False),  # RGB (kept as 4 bytes a pixel): 80 MB
    ],
)
def test_the_png_limit_is_on_decoded_memory(size, color_type, accepted):
    upload = SimpleUploadedFile("x.png", png_of(*size, color_type=color_type))
    if accepted:
        assert uploads.read_image(upload, max_size=2 * 1024 * 1024).size == size
    else:
        with pytest.raises(uploads.UploadRejected, match="too many pixels"):
            uploads.read_image(upload, max_size=2 * 1024 * 1024)


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_that_still_fills_the_box():
    data = saved(Image.new("RGB", (4000, 3000), (10, 200, 30)), "JPEG")
    image = uploads.read_image(SimpleUploadedFile("p.jpg", data), max_size=2 * 1024 * 1024, fit=(1600, 1600))
    assert image.size == (2000, 1500)  # libjpeg's 1/2 scale (4 times less memory), still over 1600 × 1200
    assert uploads.read_image(SimpleUploadedFile("p.jpg", data), max_size=2 * 1024 * 1024).size == (4000, 3000)


def test_a_photo_too_large_to_decode_in_full_is_accepted_and_stored_scaled_down(editor_client, media_root):
    data = saved(Image.new("RGB", (4800, 3600), (90, 20, 20)), "JPEG")  # as a PNG it would be refused
    assert uploads.MAX_DECODED_BYTES < 4800 * 3600 * 4
    with Image.open(stored_file(editor_client, media_root, data, "big.jpg")) as stored:
        assert stored.size == (1600, 1200)


def test_the_checker_accepts_png_and_jpeg_only():
    assert uploads.ACCEPTED_FORMATS == {"PNG": "png", "JPEG": "jpg"}
    with pytest.raises(uploads.UploadRejected, match="Only PNG and JPEG"):
        uploads.detect_format(b"GIF89a")
