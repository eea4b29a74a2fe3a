"""A template's form checked slot by slot, and the fragment a zone shows: every slot type's
value escaped or sanitised, an unknown slot type rendered as escaped text."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.content.catalog import Template
from hotfix.domain.content.preview import as_input, checked_fields, fragment
from hotfix.domain.content.slots import Slot

TODAY = date(2026, 12, 2)
TEMPLATE = Template("banner", "shipping", (
    Slot("deadline", "date"), Slot("note", "rich_text", max_length=300),
    Slot("units", "integer", minimum=0, maximum=99),
    Slot("hero", "image", hosts=("cdn.shop.example",)),
    Slot("more", "link", required=False, hosts=("shop.example",)),
    Slot("title", "text", required=False),
    Slot("price", "money", required=False, currencies=("EUR", "JPY")),
    Slot("badge", "enum", required=False, choices=(("sale", 'On <b onclick="x()">sale'),))),
    approved=True)


def test_every_bad_slot_gets_its_own_error_and_the_good_ones_pass() -> None:
    values, errors = checked_fields(TEMPLATE, {
        "deadline": "2026-12-01", "note": "<p>Order <strong>now</strong></p>", "units": "abc",
        "hero": "https://evil.example/x.png|A box", "more": "", "title": "Dec 20"}, TODAY)
    assert set(errors) == {"deadline", "units", "hero"}
    assert "in the past" in errors["deadline"]
    assert "(rule: future)" in errors["deadline"]
    assert "not a whole number" in errors["units"]
    assert "evil.example" in errors["hero"]
    assert values == {"note": "<p>Order <strong>now</strong></p>", "title": "Dec 20"}


def test_a_required_blank_slot_is_an_error_and_an_optional_one_is_left_out() -> None:
    values, errors = checked_fields(TEMPLATE, {"units": "  "}, TODAY)
    assert errors["units"] == "a value is required"
    assert "more" not in errors
    assert "more" not in values
    assert "title" not in errors


def test_the_fragment_renders_each_type_and_escapes_every_value() -> None:
    html = fragment(TEMPLATE, {
        "deadline": "2026-12-20", "note": "<p>Order by <strong>Dec 20</strong></p>",
        "units": 7, "hero": {"url": "https://cdn.shop.example/a.png?x=1&y=\"2\"",
                             "alt": "A <box>"}, "title": "Tom & Jerry"})
    assert '<div class="hf-zone" data-zone="shipping" data-template="banner">' in html
    assert '<time datetime="2026-12-20">2026-12-20</time>' in html
    assert "<p>Order by <strong>Dec 20</strong></p>" in html
    assert '<div class="hf-slot" data-slot="units">7</div>' in html
    assert 'src="https://cdn.shop.example/a.png?x=1&amp;y=&quot;2&quot;"' in html
    assert 'alt="A &lt;box&gt;"' in html
    assert "Tom &amp; Jerry" in html
    assert 'data-slot="more"' not in html


def test_a_slot_type_without_a_renderer_is_escaped_text() -> None:
    odd = Template("t", "z", (Slot("price", "gauge"),))  # a type without a renderer
    assert fragment(odd, {"price": "<b>9</b>"}).count("&lt;b&gt;9&lt;/b&gt;") == 1


def test_a_stored_image_goes_back_into_its_field_as_url_and_alt() -> None:
    assert as_input({"url": "https://cdn.shop.example/a.png", "alt": "Box"}) == \
        "https://cdn.shop.example/a.png|Box"
    assert as_input(7) == "7"


@given(st.text(max_size=200) | st.sampled_from(["12.50 EUR", "sale", "<script>", "9 JPY"]))
def test_no_typed_text_yields_script_in_the_fragment(text: str) -> None:
    values, _ = checked_fields(TEMPLATE, {"note": text, "title": text, "price": text,
                                          "badge": text}, TODAY)
    tags = Tags()
    tags.feed(fragment(TEMPLATE, values))
    assert "script" not in tags.names
    assert "style" not in tags.names
    for name, value in tags.attributes:
        assert not name.startswith("on")
        assert not (value or "").strip().lower().startswith(("javascript:", "data:"))


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.extend(attrs)
