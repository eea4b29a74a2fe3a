"""A template's form, checked slot by slot, and the HTML fragment a zone shows.

``checked_fields`` checks every slot (not only the first bad one) so a form can show each
error beside its field; ``fragment`` renders checked values the way a site shows them:
every value escaped, rich text as the sanitiser left it, a slot type without a renderer of
its own as escaped text (so a new slot type renders safely before it gets one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from html import escape

from hotfix.domain.content import money
from hotfix.domain.content.catalog import Template
from hotfix.domain.content.images import ImageFacts, Upload
from hotfix.domain.content.slots import Slot, SlotRefused, sanitise


def checked_fields(template: Template, given: Mapping[str, str], today: date,
                   images: Mapping[str, ImageFacts] | None = None,
                   uploads: Mapping[str, Upload] | None = None,
                   ) -> tuple[dict[str, object], dict[str, str]]:
    """The values that passed and, per slot, why the others did not; a blank optional slot
    is left out. An image slot with a file in ``uploads`` (checked by its bytes), or a kept
    image in ``images``, takes that image (its value the alt text)."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for slot in template.slots:
        raw = given.get(slot.name, "").strip()
        upload = (uploads or {}).get(slot.name)
        try:
            image = slot.upload(upload.filename, upload.media_type, upload.data) \
                if upload else (images or {}).get(slot.name)
            if not raw and image is None:
                if slot.required:
                    errors[slot.name] = "a value is required"
                continue
            values[slot.name] = slot.check(raw, today, image)
        except SlotRefused as exc:
            errors[slot.name] = f"{exc.detail} (rule: {exc.rule})"
    return values, errors


def as_input(value: object) -> str:
    """A stored value as the text a form field holds (an image back to ``URL|alt``, money
    to ``12.50 EUR``)."""
    if isinstance(value, Mapping) and "url" in value:
        return f"{value['url']}|{value.get('alt', '')}"
    if isinstance(value, Mapping) and "amount" in value:
        return f"{value['amount']} {value.get('currency', '')}".strip()
    return "" if value is None else str(value)


def _image(slot: Slot, value: object) -> str:
    image = value if isinstance(value, Mapping) else {}
    size = "".join(f' {k}="{int(image[k])}"' for k in ("width", "height")
                   if isinstance(image.get(k), int) and not isinstance(image[k], bool))
    return (f'<img src="{escape(str(image.get("url", "")))}" '
            f'alt="{escape(str(image.get("alt", "")))}"{size}>')


def _money(slot: Slot, value: object) -> str:
    given = value if isinstance(value, Mapping) else {}
    code = str(given.get("currency", ""))
    try:
        amount = money.exact(Decimal(str(given.get("amount"))), code)
    except (KeyError, ArithmeticError):  # not money as a money slot stores it: as text
        return escape(as_input(value))
    return (f'<data class="hf-money" value="{escape(amount)}" data-currency="{escape(code)}">'
            f"{escape(amount)} {escape(code)}</data>")


def _enum(slot: Slot, value: object) -> str:
    label = dict(slot.choices).get(str(value), str(value))
    return f'<span data-value="{escape(str(value))}">{escape(label)}</span>'


def _link(slot: Slot, value: object) -> str:
    url = escape(str(value))
    return f'<a href="{url}" rel="noopener noreferrer">{url}</a>'


def _date(slot: Slot, value: object) -> str:
    return f'<time datetime="{escape(str(value))}">{escape(str(value))}</time>'


def _rich(slot: Slot, value: object) -> str:
    return sanitise(str(value), slot.tags, slot.hosts)  # stored sanitised; again, to be sure


_RENDER: dict[str, Callable[[Slot, object], str]] = {
    "rich_text": _rich, "image": _image, "link": _link, "date": _date, "money": _money,
    "enum": _enum}


def fragment(template: Template, values: Mapping[str, object]) -> str:
    """The zone's HTML: one element per slot that has a value, in the template's order."""
    parts = []
    for slot in template.slots:
        if slot.name not in values:
            continue
        render = _RENDER.get(slot.type)
        shown = render(slot, values[slot.name]) if render else escape(as_input(
            values[slot.name]))
        parts.append(f'<div class="hf-slot" data-slot="{escape(slot.name)}">{shown}</div>')
    return (f'<div class="hf-zone" data-zone="{escape(template.zone)}" '
            f'data-template="{escape(template.name)}">{"".join(parts)}</div>')
