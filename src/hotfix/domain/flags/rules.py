"""Targeting rules: one attribute of the evaluation context compared with a value.

A rule on an attribute the context lacks (or of the wrong type for the comparison) does not
match: the flag falls through to its split or default, as OFREP asks, never an error."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def _semver(text: Any) -> tuple[int, int, int, int, tuple[Any, ...]] | None:
    match = SEMVER.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    # a pre-release sorts before its release; its parts numerically when digits
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in (pre or "").split("."))
    return int(major), int(minor), int(patch), 0 if pre else 1, parts if pre else ()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _date(value: Any) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(parse: Callable[[Any], Any], test: Callable[[Any, Any], bool]) -> Callable[
        [Any, Any], bool]:
    def compare(actual: Any, expected: Any) -> bool:
        a, e = parse(actual), parse(expected)
        return a is not None and e is not None and test(a, e)
    return compare


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda a, e: a == e and type(a) is type(e),
    "not_equals": lambda a, e: not (a == e and type(a) is type(e)),
    "in": lambda a, e: any(a == x and type(a) is type(x) for x in e),
    "semver_gt": _compare(_semver, lambda a, e: a > e),
    "semver_ge": _compare(_semver, lambda a, e: a >= e),
    "semver_lt": _compare(_semver, lambda a, e: a < e),
    "semver_le": _compare(_semver, lambda a, e: a <= e),
    "gt": _compare(_number, lambda a, e: a > e),
    "ge": _compare(_number, lambda a, e: a >= e),
    "lt": _compare(_number, lambda a, e: a < e),
    "le": _compare(_number, lambda a, e: a <= e),
    "after": _compare(_date, lambda a, e: a > e),
}
SYMBOLS = {"==": "equals", "!=": "not_equals", ">": "gt", ">=": "ge", "<": "lt", "<=": "le"}


@dataclass(frozen=True)
class Rule:
    attribute: str
    op: str
    value: Any
    variant: str

    def matches(self, context: Mapping[str, Any]) -> bool:
        if self.attribute not in context:
            return False
        return COMPARISONS[self.op](context[self.attribute], self.value)

    def describe(self) -> str:
        return f"{self.attribute} {self.op} {self.value!r}"

    def to_dict(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "op": self.op, "value": self.value,
                "variant": self.variant}


def parse_rule(data: Any, flag: str) -> Rule:
    from hotfix.domain.flags.model import FlagError

    if not isinstance(data, Mapping):
        raise FlagError(f"{flag}: a rule is an object with attribute, op, value and variant")
    attribute, op, value = data.get("attribute"), data.get("op"), data.get("value")
    if not isinstance(attribute, str) or not attribute:
        raise FlagError(f"{flag}: a rule needs the context attribute it tests")
    if op not in COMPARISONS:
        raise FlagError(f"{flag}: rule on {attribute}: {op!r} is not a comparison "
                        f"({', '.join(COMPARISONS)})")
    if op == "in" and not isinstance(value, list):
        raise FlagError(f"{flag}: rule on {attribute}: 'in' compares with a list")
    parses: dict[str, Callable[[Any], Any]] = {"semver": _semver, "after": _date,
                                                "gt": _number, "ge": _number, "lt": _number,
                                                "le": _number}
    parse = parses.get(op.split("_")[0])
    if parse is not None and parse(value) is None:
        raise FlagError(f"{flag}: rule on {attribute}: {value!r} is not what {op} compares "
                        "with (a semantic version, a number or an ISO date)")
    return Rule(attribute, op, value, str(data.get("variant")))
