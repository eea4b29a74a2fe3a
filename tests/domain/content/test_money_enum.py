"""Money and enum slots, table-driven: exact amounts in an allowed ISO 4217 currency with its
minor units, a choice among the template's; the templates that declare them wrongly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from hotfix.domain.content.catalog import CatalogError, catalog_from
from hotfix.domain.content.money import MINOR_UNITS, exact
from hotfix.domain.content.preview import as_input, checked_fields, fragment
from hotfix.domain.content.slots import SlotRefused

TODAY = date(2026, 12, 2)
SLOTS: dict[str, Any] = {
    "price": {"type": "money", "currency": "EUR", "min": "0.50", "max": 500},
    "fee": {"type": "money", "currencies": ["usd", "JPY", "BHD"], "required": False},
    "badge": {"type": "enum", "required": False, "choices": [
        {"value": "sale", "label": "On sale"}, {"value": "new", "label": "New <in>"},
        "last-items"]},
}


def template(slots: Any = None) -> Any:
    return catalog_from({"zones": {"banner": {"paths": ["/"]}}, "templates": {"promo": {
        "zone": "banner", "slots": slots or SLOTS, "author": "a@x.example"}}}).templates["promo"]


@pytest.mark.parametrize(("slot", "value", "rule"), [
    ("price", "cheap", "money"),
    ("price", "1e3", "money"),
    ("price", "12,50", "money"),
    ("price", "EUR 12.50 EUR", "money"),
    ("price", "NaN", "money"),
    ("price", "12.505", "minor-units"),
    ("price", "12.505 EUR", "minor-units"),
    ("price", "0.49", "range"),
    ("price", "500.01", "range"),
    ("price", "-1", "range"),
    ("price", "12 USD", "currency"),
    ("price", "12 XYZ", "iso-4217"),
    ("fee", "12", "currency"),  # several allowed: the value names one
    ("fee", "12.5 JPY", "minor-units"),
    ("fee", "1.2345 BHD", "minor-units"),
    ("fee", "3 EUR", "currency"),
    ("badge", "Sale", "choice"),
    ("badge", "On sale", "choice"),  # the label is shown, the value is stored
    ("badge", "<script>", "choice"),
    ("price", True, "type"),
    ("badge", 1.5, "type"),
])
def test_money_and_enum_refuse_what_their_rules_forbid(slot: str, value: Any,
                                                        rule: str) -> None:
    with pytest.raises(SlotRefused) as refused:
        template().fill({"price": "9.99", slot: value}, TODAY)
    assert (refused.value.slot, refused.value.rule) == (slot, rule)
    assert f"slot {slot!r}" in str(refused.value)


@pytest.mark.parametrize(("slot", "value", "stored"), [
    ("price", "12.5", {"amount": "12.50", "currency": "EUR"}),
    ("price", " EUR 12.50 ", {"amount": "12.50", "currency": "EUR"}),
    ("price", "500 eur", {"amount": "500.00", "currency": "EUR"}),
    ("price", 7, {"amount": "7.00", "currency": "EUR"}),
    ("price", "0.50", {"amount": "0.50", "currency": "EUR"}),
    ("fee", "1250 JPY", {"amount": "1250", "currency": "JPY"}),
    ("fee", "USD 0.1", {"amount": "0.10", "currency": "USD"}),
    ("fee", "1.234 BHD", {"amount": "1.234", "currency": "BHD"}),
    ("badge", "last-items", "last-items"),
    ("badge", " sale ", "sale"),
])
def test_good_money_is_kept_exact_with_its_minor_units_and_a_choice_by_value(
        slot: str, value: Any, stored: Any) -> None:
    values = template().fill({"price": "9.99", slot: value}, TODAY)
    assert values[slot] == stored
    assert all(not isinstance(v, float) for v in (values[slot] if isinstance(
        values[slot], dict) else {"v": values[slot]}).values())


def test_bounds_are_exact_decimals_not_floats() -> None:
    price = template().slots[0]
    assert (price.amount_min, price.amount_max) == (Decimal("0.50"), Decimal(500))
    assert template().fill({"price": "0.50"}, TODAY)["price"]["amount"] == "0.50"  # type: ignore[index]


def test_the_fragment_shows_money_with_its_minor_units_and_the_choice_label() -> None:
    t = template()
    html = fragment(t, {"price": {"amount": "12.5", "currency": "EUR"},
                        "fee": {"amount": "1250", "currency": "JPY"}, "badge": "new"})
    assert '<data class="hf-money" value="12.50" data-currency="EUR">12.50 EUR</data>' in html
    assert ">1250 JPY</data>" in html
    assert '<span data-value="new">New &lt;in&gt;</span>' in html
    assert as_input({"amount": "12.50", "currency": "EUR"}) == "12.50 EUR"
    assert t.fill({"price": as_input({"amount": "12.50", "currency": "EUR"})}, TODAY)[
        "price"] == {"amount": "12.50", "currency": "EUR"}  # a stored value goes back in


def test_the_form_check_gives_each_bad_money_or_choice_its_own_error() -> None:
    values, errors = checked_fields(template(), {"price": "12.999", "fee": "3 GBP",
                                                 "badge": "old"}, TODAY)
    assert values == {}
    assert "(rule: minor-units)" in errors["price"]
    assert "(rule: currency)" in errors["fee"]
    assert "not one of sale, new, last-items" in errors["badge"]


def test_every_listed_currency_has_minor_units_and_exact_writes_them() -> None:
    assert MINOR_UNITS["EUR"] == 2
    assert (MINOR_UNITS["JPY"], MINOR_UNITS["KWD"], MINOR_UNITS["CLF"]) == (0, 3, 4)
    assert "XAU" not in MINOR_UNITS  # gold is no shop's currency
    assert exact(Decimal("3"), "KWD") == "3.000"
    assert exact(Decimal("3"), "JPY") == "3"


@pytest.mark.parametrize(("slot", "message"), [
    ({"type": "money"}, "names its currency"),
    ({"type": "money", "currency": "EUR", "currencies": ["USD"]}, "not both"),
    ({"type": "money", "currency": "EURO"}, "not an ISO 4217 currency"),
    ({"type": "money", "currencies": ["EUR", "XAU"]}, "'XAU' is not an ISO 4217"),
    ({"type": "money", "currency": "EUR", "min": 0.1}, "a float is not exact"),
    ({"type": "money", "currency": "EUR", "max": "lots"}, "is not a number"),
    ({"type": "money", "currency": "EUR", "min": 5, "max": 1}, "above max"),
    ({"type": "enum"}, "lists its choices"),
    ({"type": "enum", "choices": []}, "lists its choices"),
    ({"type": "enum", "choices": ["a b"]}, "choice 'a b'"),
    ({"type": "enum", "choices": [{"value": "a", "label": ""}]}, "a label"),
    ({"type": "enum", "choices": ["a", {"value": "a", "label": "A"}]}, "same value"),
    ({"type": "enum", "choices": ["a"], "onchange": "x()"}, "unknown keys onchange"),
])
def test_a_money_or_enum_slot_declared_wrongly_is_refused_at_sync(
        slot: dict[str, Any], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        template({"x": slot})
