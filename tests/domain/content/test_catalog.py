"""Zones, templates and every slot type's rule, table-driven; the sanitiser under hypothesis."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.content.catalog import CatalogError, catalog_from
from hotfix.domain.content.slots import SlotRefused, sanitise

TODAY = date(2026, 12, 2)
ZONES = {"banner": {"paths": ["/", "/products/*"]}}
SLOTS: dict[str, Any] = {
    "headline": {"type": "text", "max_length": 20},
    "body": {"type": "rich_text", "tags": ["p", "strong", "a"], "max_length": 300},
    "image": {"type": "image", "hosts": ["cdn.shop.example"], "required": False},
    "stock": {"type": "integer", "min": 0, "max": 500, "required": False},
    "deadline": {"type": "date", "required": False},
    "more": {"type": "link", "hosts": ["shop.example", "*.shop.example"], "required": False},
}


def catalog(zones: Any = None, slots: Any = None, **template: Any) -> Any:
    spec = {"zone": "banner", "slots": slots or SLOTS, "author": "eng@shop.example",
            **template}
    return catalog_from({"zones": zones or ZONES, "templates": {"promo": spec}})


def fill(**values: Any) -> dict[str, object]:
    return catalog().templates["promo"].fill({"headline": "Sale", "body": "<p>x</p>",
                                               **values}, TODAY)


@pytest.mark.parametrize(("slot", "value", "rule"), [
    ("headline", "x" * 21, "max_length"),
    ("headline", "", "required"),
    ("headline", "<b>hi</b>", "plain-text"),
    ("headline", "javascript:alert(1)", "plain-text"),
    ("body", "<script>alert(1)</script>", "required"),
    ("image", "https://cdn.shop.example/a.png", "alt-text"),
    ("image", "https://evil.example/a.png|A dog", "allowed-hosts"),
    ("image", "http://cdn.shop.example/a.png|A dog", "https"),
    ("stock", "many", "integer"),
    ("stock", "501", "range"),
    ("stock", "-1", "range"),
    ("deadline", "18/12/2026", "iso-date"),
    ("deadline", "2026-12-01", "future"),
    ("more", "javascript:alert(1)", "https"),
    ("more", "https://shop.example.evil.example/", "allowed-hosts"),
    ("more", "https://user:pw@shop.example/", "https"),
    ("nosuch", "x", "known-slot"),
])
def test_each_slot_refuses_what_its_rule_forbids_naming_slot_and_rule(
        slot: str, value: str, rule: str) -> None:
    with pytest.raises(SlotRefused) as refused:
        fill(**{slot: value})
    assert (refused.value.slot, refused.value.rule) == (slot, rule)
    assert f"slot {slot!r}" in str(refused.value)
    assert rule in str(refused.value)


def test_good_values_are_kept_typed() -> None:
    values = fill(image="https://cdn.shop.example/a.png|A red dress", stock="12",
                  deadline="2026-12-20", more="https://www.shop.example/sale")
    assert values["image"] == {"url": "https://cdn.shop.example/a.png", "alt": "A red dress"}
    assert (values["stock"], values["deadline"]) == (12, "2026-12-20")


def test_rich_text_keeps_allowed_tags_and_strips_script_and_handlers() -> None:
    body = fill(body='<p onclick="steal()">Ends <strong>Sunday</strong><script>x()</script>'
                     '<img src=x onerror=alert(1)><a href="javascript:x()">l</a></p>')["body"]
    assert body == '<p>Ends <strong>Sunday</strong><a rel="noopener noreferrer">l</a></p>'


class Tags(HTMLParser):
    """Every tag and attribute a browser would see in the sanitised fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


@given(st.lists(st.sampled_from(["<script>", "</script>", "<svg onload=x()>", "<p ",
                                 "onclick=", '"', "'", ">", "<a href=", "javascript:", "alert(1)",
                                 "<img src=x onerror=y>", "<iframe>", "style=", "<strong>",
                                 "&lt;", "<!--", "-->", "jav&#x61;script:", " ", "data:"]),
                max_size=30).map("".join) | st.text(max_size=200))
def test_no_generated_input_leaves_script_after_sanitising(html: str) -> None:
    parser = Tags()
    parser.feed(sanitise(html, frozenset({"p", "strong", "a"})))
    for tag, attrs in parser.seen:
        assert tag in {"p", "strong", "a"}
        for name, value in attrs:
            assert (tag, name) in {("a", "href"), ("a", "rel")}
            assert name == "rel" or (value or "").startswith("https:")


@pytest.mark.parametrize("paths", [["/checkout"], ["/checkout/step/2"], ["/cart/pay"],
                                   ["/", "/checkout/*"], ["/**"], ["/*"]])
def test_a_zone_on_a_checkout_path_is_refused_whatever_its_name(paths: list[str]) -> None:
    with pytest.raises(CatalogError, match="checkout path"):
        catalog(zones={"banner": {"paths": paths}})


@pytest.mark.parametrize(("template", "message"), [
    ({"zone": "footer"}, "which content/zones.toml does not declare"),
    ({"script": "alert(1)"}, "unknown keys script"),
    ({"slots": {"x": {"type": "javascript"}}}, "type 'javascript' is not one of"),
    ({"slots": {"x": {"type": "rich_text", "tags": ["script"]}}}, "tags script are not"),
    ({"slots": {"x": {"type": "text", "onload": "x"}}}, "unknown keys onload"),
])
def test_a_template_that_could_carry_logic_or_miss_its_zone_is_refused(
        template: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        catalog(**template)


def test_a_template_file_never_approves_its_template() -> None:
    """Approval is an approver's event (tests/domain/content/test_approval.py): what a
    catalog stored before says in ``approved``/``approved_by`` is read and ignored."""
    promo = catalog(approved=True, approved_by="lead@shop.example").templates["promo"]
    assert (promo.approved, promo.approved_by) == (False, "")
