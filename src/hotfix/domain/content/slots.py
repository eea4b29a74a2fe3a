"""A template's typed slots and the one check of a value against each.

No slot type can carry script or custom logic: rich text passes the nh3 sanitiser with an
allow-list of tags and no event-handler or style attributes, links and images take only
``https`` URLs on the template's allowed hosts, and every other type is not HTML at all.
A refused value raises ``SlotRefused`` naming the slot and the rule."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import nh3


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

    def check(self, raw: object, today: date) -> object:
        """The value this slot stores for ``raw``, or ``SlotRefused``."""
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise SlotRefused(self.name, "type", f"expected text, got {type(raw).__name__}")
        return _CHECKS[self.type](self, raw, today)


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
    if not sep or not alt.strip():
        raise SlotRefused(slot.name, "alt-text", "an image needs alt text: URL|alt text")
    alt_text = _text(Slot(slot.name, "text", max_length=slot.max_length), alt, date.min)
    return {"url": _url(slot, url.strip(), "allowed-hosts"), "alt": alt_text}


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


_CHECKS = {"text": _text, "rich_text": _rich, "image": _image, "integer": _integer,
           "date": _date, "link": _link}
SLOT_TYPES = tuple(_CHECKS)


def slot_from(name: str, spec: Mapping[str, Any]) -> Slot:
    """A slot from its TOML table; ``SlotSpecError`` for an unknown type or key."""
    kind = spec.get("type")
    if kind not in _CHECKS:
        raise SlotSpecError(f"slot {name!r}: type {kind!r} is not one of "
                            f"{', '.join(SLOT_TYPES)} (no slot may carry custom logic)")
    known = {"type", "required", "max_length", "tags", "hosts", "min", "max"}
    if unknown := sorted(set(spec) - known):
        raise SlotSpecError(f"slot {name!r}: unknown keys {', '.join(unknown)}")
    tags = frozenset(str(t).lower() for t in spec.get("tags", ("p", "br", "strong", "em", "a")))
    if extra := sorted(tags - RICH_TAGS):
        raise SlotSpecError(f"slot {name!r}: tags {', '.join(extra)} are not allowed; "
                            f"allowed: {', '.join(sorted(RICH_TAGS))}")
    try:
        return Slot(name, kind, bool(spec.get("required", True)),
                    int(spec.get("max_length", 200)), tags,
                    tuple(str(h).lower() for h in spec.get("hosts", ())),
                    int(spec.get("min", 0)), int(spec.get("max", 1_000_000)))
    except (TypeError, ValueError) as exc:
        raise SlotSpecError(f"slot {name!r}: {exc}") from None
