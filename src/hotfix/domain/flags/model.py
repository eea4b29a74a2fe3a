"""A flag's definition, parsed from plain data (a ``set`` event's payload) and back.

A definition is checked whole before it is recorded: every variant's value of the flag's
type, the default and every rule's variant among the variants, split weights of 0–100
that sum to 100. ``FlagError`` says what is wrong; nothing half-valid is ever built."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.flags.rules import Rule, parse_rule

TYPES = ("boolean", "string", "number", "object")
KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class FlagError(ValueError):
    """A definition or a change that cannot be a flag's."""


@dataclass(frozen=True)
class Flag:
    key: str
    type: str
    variants: Mapping[str, Any]
    default: str                                   # the variant served when nothing matches
    rules: tuple[Rule, ...] = ()                   # first match wins
    split: tuple[tuple[str, int], ...] = ()        # (variant, percentage), in bucket order
    killed: bool = False                           # the kill switch: every rule overridden
    off: str | None = None                         # served when killed (else the default)
    description: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def off_variant(self) -> str:
        return self.off or self.default

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "type": self.type, "variants": dict(self.variants),
                "default": self.default, "rules": [r.to_dict() for r in self.rules],
                "split": [[v, w] for v, w in self.split], "killed": self.killed,
                "off": self.off, "description": self.description}


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY.match(key):
        raise FlagError(f"{key!r} is not a flag key: use lower-case letters, digits, '.', '_' "
                        "and '-' (e.g. new-checkout)")
    return key


def of_type(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, dict)


def parse_flag(data: Mapping[str, Any]) -> Flag:
    """The flag ``data`` defines, or ``FlagError`` naming the first thing wrong."""
    if not isinstance(data, Mapping):
        raise FlagError("a flag's definition is an object")
    key = check_key(data.get("key", ""))
    kind = data.get("type")
    if kind not in TYPES:
        raise FlagError(f"{key}: type {kind!r} is not one of {', '.join(TYPES)}")
    variants = data.get("variants")
    if not isinstance(variants, Mapping) or not variants:
        raise FlagError(f"{key}: a flag needs at least one variant")
    for name, value in variants.items():
        if not of_type(kind, value):
            raise FlagError(f"{key}: variant {name!r} is {value!r}, not a {kind}")
    default = _variant(key, variants, data.get("default"), "the default")
    off = data.get("off")
    if off is not None:
        _variant(key, variants, off, "the off variant")
    rules = tuple(parse_rule(r, key) for r in data.get("rules") or ())
    for rule in rules:
        _variant(key, variants, rule.variant, f"rule {rule.describe()}'s variant")
    split = _split(key, variants, data.get("split") or ())
    return Flag(key, kind, dict(variants), default, rules, split, bool(data.get("killed")),
                off, str(data.get("description") or ""))


def _variant(key: str, variants: Mapping[str, Any], name: Any, what: str) -> str:
    if name not in variants:
        raise FlagError(f"{key}: {what} {name!r} is not a variant "
                        f"(the variants: {', '.join(variants)})")
    return str(name)


def _split(key: str, variants: Mapping[str, Any], raw: Any) -> tuple[tuple[str, int], ...]:
    pairs = list(raw.items()) if isinstance(raw, Mapping) else list(raw)
    split: list[tuple[str, int]] = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise FlagError(f"{key}: a split is a list of [variant, percentage]")
        name, weight = pair
        _variant(key, variants, name, "the split's variant")
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
            raise FlagError(f"{key}: {name}'s percentage {weight!r} is not a whole number "
                            "from 0 to 100")
        split.append((str(name), weight))
    if split and sum(w for _, w in split) != 100:
        raise FlagError(f"{key}: the split's percentages sum to "
                        f"{sum(w for _, w in split)}, not 100")
    if len({n for n, _ in split}) != len(split):
        raise FlagError(f"{key}: a variant appears twice in the split")
    return tuple(split)
