"""Amounts of money for ``money`` slots: ISO 4217 currency codes with their minor units, an
amount read exactly (``Decimal``, never a float) and shown with its currency's decimals.

The table lists the active codes of ISO 4217 (list one, 2026) that have minor units; the
precious metals, the SDR and the testing codes (XAU, XDR, XTS, …) are not money a shop
charges and are left out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
    "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV "
    "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR "
    "SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
    "USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG")
MINOR_UNITS: dict[str, int] = {
    code: units for units, codes in ((0, _ZERO), (2, _TWO), (3, _THREE), (4, _FOUR))
    for code in codes.split()}

_AMOUNT = re.compile(r"\s*(?:([A-Za-z]{3})\s+)?([+-]?\d{1,15}(?:\.\d{1,12})?)"
                     r"(?:\s+([A-Za-z]{3}))?\s*")


class MoneyError(ValueError):
    """An amount that is not money of an allowed currency: which rule, what was wrong."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule, self.detail = rule, detail


def currency(code: str) -> str:
    """``code`` as an ISO 4217 code (upper case); ``MoneyError`` for an unknown one."""
    upper = code.strip().upper()
    if upper not in MINOR_UNITS:
        raise MoneyError("iso-4217", f"{code!r} is not an ISO 4217 currency code "
                         "(e.g. EUR, USD, JPY)")
    return upper


def parse(text: str, allowed: tuple[str, ...]) -> tuple[Decimal, str]:
    """The exact amount and currency in ``text`` (``12.50``, ``12.50 EUR``, ``EUR 12.50``):
    the currency among ``allowed`` (the only one when the text names none), at most as
    many decimals as its minor units."""
    match = _AMOUNT.fullmatch(text)
    if match is None or (match[1] and match[3]):
        raise MoneyError("money", f"{text!r} is not an amount (e.g. 12.50 or 12.50 "
                         f"{allowed[0] if allowed else 'EUR'})")
    named = match[1] or match[3]
    if named is None and len(allowed) != 1:
        raise MoneyError("currency", f"{text!r} names no currency; one of "
                         f"{', '.join(allowed)}")
    code = currency(named) if named else allowed[0]
    if code not in allowed:
        raise MoneyError("currency", f"{code} is not allowed here; allowed: "
                         f"{', '.join(allowed)}")
    try:
        amount = Decimal(match[2])
    except InvalidOperation:  # the pattern admits only digits: kept for safety
        raise MoneyError("money", f"{text!r} is not an amount") from None
    decimals = -int(amount.as_tuple().exponent)
    if decimals > MINOR_UNITS[code]:
        raise MoneyError("minor-units", f"{match[2]} has {decimals} decimals; {code} has "
                         f"{MINOR_UNITS[code]}")
    return amount, code


def exact(amount: Decimal, code: str) -> str:
    """``amount`` written with exactly ``code``'s minor units (``12.5`` EUR → ``12.50``)."""
    units = MINOR_UNITS[code]
    return f"{amount.quantize(Decimal(1).scaleb(-units)):f}"


def bound(value: object, what: str) -> Decimal:
    """A template's ``min``/``max`` of a money slot, exactly: a whole number or a string
    (``"9.99"``); a TOML float is refused, it is not exact."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{what} must be a whole number or a string such as \"9.99\" "
                         f"(got {value!r}: a float is not exact)")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"{what} {value!r} is not a number")
    return number
