"""Uploaded images, known by their bytes: the real type from the magic bytes (PNG, JPEG,
WebP, GIF; SVG never, it can carry script) and the pixel size from the headers, without
decoding a pixel; the name is the SHA-256 of the bytes with the type's extension.

``sniff`` reads only headers, so a file claiming a size it does not have is refused on
what it claims (a decompression bomb declares its size in its header, too)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

IMAGE_PATH = "/content/v1/images/"  # where the team server serves them (public, immutable)
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif",
               "webp": "image/webp"}
EXTENSIONS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "gif": "gif", "webp": "webp"}
NAME = re.compile(r"[0-9a-f]{64}\.(?:png|jpg|gif|webp)")
_SVG = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+svg|<svg)",
                  re.IGNORECASE | re.DOTALL)
_SCRIPTISH = re.compile(rb"<\s*script|\son[a-z]+\s*=|javascript:", re.IGNORECASE)
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # SOF0…SOF15 but DHT, JPG, DAC


class ImageError(ValueError):
    """Bytes that are not an image hotfix accepts: which rule, what was wrong."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule, self.detail = rule, detail


@dataclass(frozen=True)
class Upload:
    """A file given for an image slot, as its sender named and declared it."""

    filename: str
    media_type: str | None  # what the sender declared (Content-Type), if anything
    data: bytes


@dataclass(frozen=True)
class ImageFacts:
    """What is known of an image from its bytes."""

    name: str  # sha256 hex + "." + extension
    media_type: str
    width: int
    height: int
    size: int  # bytes

    @property
    def url(self) -> str:
        return f"{IMAGE_PATH}{self.name}"


def facts(data: bytes) -> ImageFacts:
    """The type, size and name of ``data``; ``ImageError`` when it is not a PNG, JPEG,
    WebP or GIF with readable headers."""
    kind, width, height = sniff(data)
    name = f"{hashlib.sha256(data).hexdigest()}.{kind}"
    return ImageFacts(name, MEDIA_TYPES[kind], width, height, len(data))


def kept_reference(value: str) -> str | None:
    """The kept image an image slot's ``URL|alt`` names (``/content/v1/images/NAME``),
    else None."""
    url = value.partition("|")[0].strip()
    name = url[len(IMAGE_PATH):] if url.startswith(IMAGE_PATH) else ""
    return name if NAME.fullmatch(name) else None


def sniff(data: bytes) -> tuple[str, int, int]:
    """``(extension, width, height)`` read from ``data``'s magic bytes and headers."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", *_png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg", *_jpeg(data)
    if data[:6] in {b"GIF87a", b"GIF89a"}:
        if len(data) < 10:
            raise ImageError("image-type", "the GIF header is cut short")
        return "gif", _le(data, 6, 2), _le(data, 8, 2)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", *_webp(data)
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _SVG.match(head):
        why = "an SVG with script is refused; " if _SCRIPTISH.search(data) else ""
        raise ImageError("svg", f"{why}SVG is never accepted (it can carry script): "
                         "upload a PNG, JPEG, WebP or GIF")
    raise ImageError("image-type", "the bytes are not a PNG, JPEG, WebP or GIF image")


def extension_of(filename: str) -> str:
    """The canonical extension of ``filename`` (``.jpeg`` → ``jpg``); ``ImageError`` for
    one hotfix does not take."""
    _, dot, ext = filename.rpartition(".")
    known = EXTENSIONS.get(ext.lower()) if dot else None
    if known is None:
        shown = f".{ext}" if dot else "none"
        raise ImageError("extension", f"extension {shown} of {filename!r} is not one of "
                         ".png, .jpg, .jpeg, .webp, .gif")
    return known


def _be(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at:at + size], "big")


def _le(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at:at + size], "little")


def _png(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageError("image-type", "the PNG has no IHDR header")
    return _be(data, 16, 4), _be(data, 20, 4)


def _jpeg(data: bytes) -> tuple[int, int]:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ImageError("image-type", "the JPEG's segments are broken")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # standalone markers
            at += 2
            continue
        if marker in {0xD9, 0xDA}:  # end of image, or scan data before any frame header
            break
        if marker in _JPEG_FRAMES:
            if at + 9 > len(data):
                break
            return _be(data, at + 7, 2), _be(data, at + 5, 2)
        at += 2 + _be(data, at + 2, 2)
    raise ImageError("image-type", "the JPEG has no frame header (SOF) with its size")


def _webp(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return _le(data, 26, 2) & 0x3FFF, _le(data, 28, 2) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = _le(data, 21, 4)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return _le(data, 24, 3) + 1, _le(data, 27, 3) + 1
    raise ImageError("image-type", "the WebP has no VP8, VP8L or VP8X header with its size")
