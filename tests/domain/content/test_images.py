"""Images known by their bytes: the type from the magic bytes and the pixel size from the
headers, checked against real files Pillow writes (Pillow comes with weasyprint; hotfix
itself never decodes an image), and every bad upload refused naming the slot and rule."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from hotfix.domain.content.catalog import Template
from hotfix.domain.content.images import ImageError, facts, sniff
from hotfix.domain.content.slots import Slot, SlotRefused

TODAY = date(2026, 12, 2)
FORMATS = {"png": ("PNG", {}), "jpg": ("JPEG", {}), "gif": ("GIF", {}),
           "webp": ("WEBP", {}), "webp-lossless": ("WEBP", {"lossless": True}),
           "jpg-progressive": ("JPEG", {"progressive": True})}
HERO = Slot("hero", "image", max_bytes=50_000, max_width=800, max_height=400)
SCRIPTED_SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
                b'width="10" height="10"><script>alert(document.cookie)</script></svg>')


def image(kind: str, width: int = 40, height: int = 20, mode: str = "RGB",
          **extra: object) -> bytes:
    fmt, options = FORMATS[kind]
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 30, 128)[:len(mode)]).save(
        out, fmt, **{**options, **extra})
    return out.getvalue()


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(FORMATS)), st.integers(1, 2000), st.integers(1, 2000),
       st.sampled_from(["RGB", "L", "RGBA"]))
def test_the_size_read_from_the_headers_is_the_size_pillow_wrote(
        kind: str, width: int, height: int, mode: str) -> None:
    if mode == "RGBA" and kind.startswith("jpg"):
        mode = "RGB"  # JPEG has no alpha
    data = image(kind, width, height, mode)
    assert sniff(data) == (kind.partition("-")[0], width, height)


def test_a_webp_with_an_extended_header_is_read_from_it() -> None:
    data = image("webp", 321, 123, "RGBA", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00")
    assert data[12:16] == b"VP8X"
    assert sniff(data) == ("webp", 321, 123)


def test_the_name_is_the_sha256_of_the_bytes_with_the_real_extension() -> None:
    data = image("png")
    found = facts(data)
    assert found.name == f"{hashlib.sha256(data).hexdigest()}.png"
    assert (found.media_type, found.size, found.url) == (
        "image/png", len(data), f"/content/v1/images/{found.name}")


@pytest.mark.parametrize(("data", "rule"), [
    (SCRIPTED_SVG, "svg"),
    (b"\xef\xbb\xbf  <svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
    (b"<!DOCTYPE svg><svg onload='x()'></svg>", "svg"),
    (b"<html><script>alert(1)</script></html>", "image-type"),
    (b"BM\x00\x00 a bitmap", "image-type"),
    (b"", "image-type"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image-type"),  # cut short
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image-type"),  # no frame header
    (b"GIF89a\x01", "image-type"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image-type"),
])
def test_bytes_that_are_no_accepted_image_are_refused_by_rule(data: bytes, rule: str) -> None:
    with pytest.raises(ImageError) as refused:
        sniff(data)
    assert refused.value.rule == rule


def test_an_svg_with_script_says_so() -> None:
    with pytest.raises(ImageError, match="an SVG with script is refused"):
        sniff(SCRIPTED_SVG)


@pytest.mark.parametrize(("filename", "declared", "data", "rule", "says"), [
    ("hero.png", "image/png", image("jpg"), "type-mismatch", "named .png but its bytes are "
                                                              "image/jpeg"),
    ("hero.png", "image/gif", image("png"), "type-mismatch", "declared image/gif"),
    ("hero.jpg", None, image("webp"), "type-mismatch", "image/webp"),
    ("hero.svg", "image/svg+xml", SCRIPTED_SVG, "svg", "SVG with script"),
    ("hero.bmp", None, image("png"), "extension", "extension .bmp"),
    ("hero", None, image("png"), "extension", "extension none"),
    ("notes.txt", "text/plain", b"just text", "image-type", "not a PNG, JPEG"),
])
def test_an_upload_whose_name_or_type_is_not_its_bytes_is_refused_naming_the_slot(
        filename: str, declared: str | None, data: bytes, rule: str, says: str) -> None:
    with pytest.raises(SlotRefused) as refused:
        HERO.upload(filename, declared, data)
    assert (refused.value.slot, refused.value.rule) == ("hero", rule)
    assert says in str(refused.value)
    assert "slot 'hero'" in str(refused.value)


@pytest.mark.parametrize(("data", "rule"), [
    (image("png", 801, 10), "dimensions"),
    (image("gif", 10, 401), "dimensions"),
    (image("png", 700, 390, "RGB", compress_level=0), "max_bytes"),  # ~820 kB raw
])
def test_an_image_too_large_or_too_big_in_pixels_is_refused(data: bytes, rule: str) -> None:
    name = "big.gif" if data.startswith(b"GIF") else "big.png"
    found = HERO.upload(name, None, data)
    with pytest.raises(SlotRefused) as refused:
        HERO.check("A banner", TODAY, found)
    assert refused.value.rule == rule


def test_a_good_upload_is_kept_with_its_url_alt_text_and_size() -> None:
    data = image("jpg", 640, 320)
    found = HERO.upload("Banner.JPEG", "image/jpeg", data)
    assert HERO.check("Winter sale", TODAY, found) == {
        "url": found.url, "alt": "Winter sale", "width": 640, "height": 320}
    assert HERO.check(f"{found.url}|Again", TODAY, found)["alt"] == "Again"  # kept before
    with pytest.raises(SlotRefused) as no_alt:
        HERO.check("", TODAY, found)
    assert no_alt.value.rule == "alt-text"


def test_only_an_image_slot_takes_a_file_and_a_kept_url_needs_its_image() -> None:
    with pytest.raises(SlotRefused) as refused:
        Slot("units", "integer").upload("x.png", None, image("png"))
    assert refused.value.rule == "upload"
    template = Template("t", "z", (HERO,))
    with pytest.raises(SlotRefused) as unknown:
        template.fill({"hero": f"/content/v1/images/{'a' * 64}.png|A box"}, TODAY)
    assert unknown.value.rule == "uploaded"
    with pytest.raises(SlotRefused) as elsewhere:
        template.fill({"hero": "A box"}, TODAY, {"banner": facts(image("png"))})
    assert elsewhere.value.rule == "known-slot"


MAGIC = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP",
         b"RIFF\x00\x00\x00\x00WEBPVP8L", b"RIFF\x00\x00\x00\x00WEBPVP8X", b"<svg", b""]


def read_or_rule(data: bytes) -> tuple[str, int, int] | str:
    """What ``sniff`` reads from ``data``, or the rule it refused it by."""
    try:
        return sniff(data)
    except ImageError as refused:
        return refused.rule


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MAGIC), st.binary(max_size=64))
def test_any_bytes_are_read_as_an_image_or_refused_never_a_crash(magic: bytes,
                                                                  rest: bytes) -> None:
    got = read_or_rule(magic + rest)
    if isinstance(got, str):
        assert got in {"image-type", "svg"}
    else:
        assert got[0] in {"png", "jpg", "gif", "webp"}
        assert min(got[1:]) >= 0


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(FORMATS)), st.data())
def test_a_real_image_cut_short_is_refused_or_read_from_what_is_left(
        kind: str, data: st.DataObject) -> None:
    whole = image(kind, 33, 44)
    cut = whole[:data.draw(st.integers(0, len(whole) - 1))]
    assert read_or_rule(cut) in {"image-type", (kind.partition("-")[0], 33, 44)}
