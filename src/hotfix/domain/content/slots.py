"""A template's typed slots and the one check of a value against each.

No slot type can carry script or custom logic: rich text passes the nh3 sanitiser with an
allow-list of tags and no event-handler or style attributes, links and images take only
``https`` URLs on the template's allowed hosts (or an upload, known by its bytes:
``hotfix.domain.content.images``), and every other type is not HTML at all. Money is exact
(``Decimal``, ``hotfix.domain.content.money``), an enum one of the template's choices.
A refused value raises ``SlotRefused`` naming the slot and the rule."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import nh3

from hotfix.domain.content import money
from hotfix.domain.content.images import (
    IMAGE_PATH,
    ImageError,
    ImageFacts,
    extension_of,
    facts,
)


class SlotRefused(ValueError):
    """A value a slot does not accept: which slot, which rule, what was wrong."""

    def __init__(self, slot: str, rule: str, message: str) -> None:
        super().__init__(f"slot {slot!r}: {message} (rule: {rule})")
        self.slot, self.rule, self.detail = slot, rule, message


class SlotSpecError(ValueError):
    """A template declares a slot hotfix cannot honour."""


RICH_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a",
                       "span", "small"})
_SCRIPTISH = re.compile(r"<\s*/?\s*script|javascript:|data:|vbscript:|expression\s*\(",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    required: bool = True
    max_length: int = 200
    tags: frozenset[str] = frozenset({"p", "br", "strong", "em", "a"})
    hosts: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 1_000_000
    currencies: tuple[str, ...] = ()  # money: the ISO 4217 codes allowed (one: fixed)
    amount_min: Decimal = Decimal(0)
    amount_max: Decimal = Decimal(1_000_000)
    choices: tuple[tuple[str, str], ...] = ()  # enum: (value, label), in the template's order
    max_bytes: int = 2_000_000  # image uploads: the file's size and pixel size
    max_width: int = 4096
    max_height: int = 4096

    def check(self, raw: object, today: date, image: ImageFacts | None = None) -> object:
        """The value this slot stores for ``raw``, or ``SlotRefused``; with ``image`` (an
        upload, or one kept before), ``raw`` is its alt text (or ``URL|alt``)."""
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise SlotRefused(self.name, "type", f"expected text, got {type(raw).__name__}")
        if image is not None:
            return _uploaded(self, str(raw), image)
        return _CHECKS[self.type](self, raw, today)

    def upload(self, filename: str, declared: str | None, data: bytes) -> ImageFacts:
        """The facts of an uploaded file, known by its bytes: ``SlotRefused`` when this is
        not an image slot, the bytes are no image hotfix takes (SVG never), or the file's
        extension or declared type is not what its bytes are."""
        if self.type != "image":
            raise SlotRefused(self.name, "upload", f"a {self.type} slot takes no file; "
                              "only an image slot does")
        try:
            found = facts(data)
            claimed = extension_of(filename)
        except ImageError as exc:
            raise SlotRefused(self.name, exc.rule, exc.detail) from None
        real = found.name.rpartition(".")[2]
        if claimed != real:
            raise SlotRefused(self.name, "type-mismatch", f"{filename!r} is named .{claimed} "
                              f"but its bytes are {found.media_type}")
        media = (declared or "").split(";")[0].strip().lower()
        if media not in {"", "application/octet-stream", found.media_type}:
            raise SlotRefused(self.name, "type-mismatch", f"{filename!r} is declared {media} "
                              f"but its bytes are {found.media_type}")
        return found


def _text(slot: Slot, raw: str | int, _: date) -> str:
    value = str(raw).strip()
    if not value and slot.required:
        raise SlotRefused(slot.name, "required", "a value is required")
    if len(value) > slot.max_length:
        raise SlotRefused(slot.name, "max_length",
                          f"{len(value)} characters, at most {slot.max_length}")
    if "<" in value or _SCRIPTISH.search(value):
        raise SlotRefused(slot.name, "plain-text", "plain text may not contain markup or "
                          "script URLs; use a rich-text slot for formatting")
    return value


def _rich(slot: Slot, raw: str | int, _: date) -> str:
    cleaned = sanitise(str(raw), slot.tags, slot.hosts)
    if not cleaned.strip() and slot.required:
        raise SlotRefused(slot.name, "required", "a value is required (after sanitising)")
    if len(cleaned) > slot.max_length:
        raise SlotRefused(slot.name, "max_length",
                          f"{len(cleaned)} characters, at most {slot.max_length}")
    return cleaned


def sanitise(html: str, tags: frozenset[str], hosts: tuple[str, ...] = ()) -> str:
    """``html`` with only ``tags`` kept, no attribute but a link's absolute https ``href``
    (on ``hosts``, when given), and no script, style or event handler anywhere (nh3, the
    ammonia sanitiser)."""
    allowed = set(tags & RICH_TAGS)
    attributes = {"a": {"href"}} if "a" in allowed else {}

    def on_hosts(tag: str, name: str, value: str) -> str | None:
        host = (urlsplit(value).hostname or "").lower() if name == "href" else ""
        return value if name != "href" or not hosts or _allowed(host, hosts) else None

    return nh3.clean(html, tags=allowed, attributes=attributes, url_schemes={"https"},
                     link_rel="noopener noreferrer", strip_comments=True,
                     clean_content_tags={"script", "style"}, url_relative="deny",
                     attribute_filter=on_hosts)


def _allowed(host: str, hosts: tuple[str, ...]) -> bool:
    return any(host == h or (h.startswith("*.") and host.endswith(h[1:])) for h in hosts)


def _url(slot: Slot, value: str, rule: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise SlotRefused(slot.name, "https", f"{value!r} is not an https:// URL")
    if parts.username or parts.password:
        raise SlotRefused(slot.name, "https", "a URL may not carry a user or password")
    host = parts.hostname.lower()
    if not _allowed(host, slot.hosts):
        raise SlotRefused(slot.name, rule, f"host {host!r} is not allowed; allowed: "
                          f"{', '.join(slot.hosts) or 'none'}")
    return value


def _link(slot: Slot, raw: str | int, _: date) -> str:
    return _url(slot, str(raw).strip(), "allowed-hosts")


def _image(slot: Slot, raw: str | int, _: date) -> dict[str, str]:
    url, sep, alt = str(raw).partition("|")
    if url.strip().startswith(IMAGE_PATH):
        raise SlotRefused(slot.name, "uploaded", f"{url.strip()} is no image kept on this "
                          "server: upload the file")
    return {"url": _url(slot, url.strip(), "allowed-hosts"), "alt": _alt(slot, alt if sep else "")}


def _alt(slot: Slot, alt: str) -> str:
    if not alt.strip():
        raise SlotRefused(slot.name, "alt-text", "an image needs alt text: URL|alt text "
                          "(with an upload, the alt text alone)")
    return _text(Slot(slot.name, "text", max_length=slot.max_length), alt, date.min)


def _uploaded(slot: Slot, raw: str, image: ImageFacts) -> dict[str, object]:
    if slot.type != "image":
        raise SlotRefused(slot.name, "upload", f"a {slot.type} slot takes no image")
    if image.size > slot.max_bytes:
        raise SlotRefused(slot.name, "max_bytes",
                          f"{image.size} bytes, at most {slot.max_bytes}")
    if image.width > slot.max_width or image.height > slot.max_height:
        raise SlotRefused(slot.name, "dimensions", f"{image.width}×{image.height} pixels, "
                          f"at most {slot.max_width}×{slot.max_height}")
    return {"url": image.url, "alt": _alt(slot, raw.rpartition("|")[2]), "width": image.width,
            "height": image.height}


def _integer(slot: Slot, raw: str | int, _: date) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise SlotRefused(slot.name, "integer", f"{raw!r} is not a whole number") from None
    if not slot.minimum <= value <= slot.maximum:
        raise SlotRefused(slot.name, "range",
                          f"{value} is outside {slot.minimum}..{slot.maximum}")
    return value


def _date(slot: Slot, raw: str | int, today: date) -> str:
    text = str(raw).strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(
            text).date()
    except ValueError:
        raise SlotRefused(slot.name, "iso-date",
                          f"{text!r} is not an ISO date (YYYY-MM-DD)") from None
    if day < today:
        raise SlotRefused(slot.name, "future", f"{text} is in the past (today is {today})")
    return text


def _money(slot: Slot, raw: str | int, _: date) -> dict[str, str]:
    try:
        amount, code = money.parse(str(raw), slot.currencies)
    except money.MoneyError as exc:
        raise SlotRefused(slot.name, exc.rule, exc.detail) from None
    if not slot.amount_min <= amount <= slot.amount_max:
        raise SlotRefused(slot.name, "range", f"{amount} {code} is outside "
                          f"{slot.amount_min}..{slot.amount_max}")
    return {"amount": money.exact(amount, code), "currency": code}


def _enum(slot: Slot, raw: str | int, _: date) -> str:
    value = str(raw).strip()
    if value not in dict(slot.choices):
        raise SlotRefused(slot.name, "choice", f"{value!r} is not one of "
                          f"{', '.join(v for v, _ in slot.choices)}")
    return value


_CHECKS = {"text": _text, "rich_text": _rich, "image": _image, "integer": _integer,
           "date": _date, "link": _link, "money": _money, "enum": _enum}
SLOT_TYPES = tuple(_CHECKS)


def slot_from(name: str, spec: Mapping[str, Any]) -> Slot:
    """A slot from its TOML table; ``SlotSpecError`` for an unknown type or key."""
    kind = spec.get("type")
    if kind not in _CHECKS:
        raise SlotSpecError(f"slot {name!r}: type {kind!r} is not one of "
                            f"{', '.join(SLOT_TYPES)} (no slot may carry custom logic)")
    if unknown := sorted(set(spec) - _KEYS):
        raise SlotSpecError(f"slot {name!r}: unknown keys {', '.join(unknown)}")
    tags = frozenset(str(t).lower() for t in spec.get("tags", ("p", "br", "strong", "em", "a")))
    if extra := sorted(tags - RICH_TAGS):
        raise SlotSpecError(f"slot {name!r}: tags {', '.join(extra)} are not allowed; "
                            f"allowed: {', '.join(sorted(RICH_TAGS))}")
    try:
        typed: dict[str, Any] = _money_spec(spec) if kind == "money" else {
            "minimum": int(spec.get("min", 0)), "maximum": int(spec.get("max", 1_000_000))}
        if kind == "enum":
            typed["choices"] = _choices(spec.get("choices"))
        return Slot(name, kind, bool(spec.get("required", True)),
                    int(spec.get("max_length", 200)), tags,
                    tuple(str(h).lower() for h in spec.get("hosts", ())),
                    max_bytes=int(spec.get("max_bytes", 2_000_000)),
                    max_width=int(spec.get("max_width", 4096)),
                    max_height=int(spec.get("max_height", 4096)), **typed)
    except (TypeError, ValueError) as exc:
        raise SlotSpecError(f"slot {name!r}: {exc}") from None


_KEYS = {"type", "required", "max_length", "tags", "hosts", "min", "max", "currency",
         "currencies", "choices", "max_bytes", "max_width", "max_height"}
_CHOICE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _money_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A money slot's currencies (``currency = "EUR"`` fixed, or ``currencies = [...]``)
    and exact bounds."""
    given = [spec["currency"]] if "currency" in spec else list(spec.get("currencies", ()))
    if not given or ("currency" in spec and "currencies" in spec):
        raise ValueError('a money slot names its currency = "EUR" or currencies = '
                         '["EUR", "USD"] (not both)')
    try:
        codes = tuple(dict.fromkeys(money.currency(str(c)) for c in given))
    except money.MoneyError as exc:
        raise ValueError(exc.detail) from None
    low = money.bound(spec.get("min", 0), "min")
    high = money.bound(spec.get("max", 1_000_000), "max")
    if low > high:
        raise ValueError(f"min {low} is above max {high}")
    return {"currencies": codes, "amount_min": low, "amount_max": high}


def _choices(given: object) -> tuple[tuple[str, str], ...]:
    """An enum's choices: ``["sale", "new"]`` or ``[{value = "sale", label = "On sale"}]``."""
    if not isinstance(given, list) or not given:
        raise ValueError('an enum slot lists its choices: choices = ["sale", "new"] or '
                         '[{value = "sale", label = "On sale"}, ...]')
    out: list[tuple[str, str]] = []
    for item in given:
        value, label = (item.get("value"), item.get("label", item.get("value"))) \
            if isinstance(item, dict) else (item, item)
        if not isinstance(value, str) or not _CHOICE.fullmatch(value) or \
                not isinstance(label, str) or not label.strip() or len(label) > 200:
            raise ValueError(f"choice {item!r}: a value of letters, digits, _ . - (at most "
                             "64) and a label of at most 200 characters")
        out.append((value, label.strip()))
    if len({v for v, _ in out}) != len(out):
        raise ValueError("two choices have the same value")
    return tuple(out)
