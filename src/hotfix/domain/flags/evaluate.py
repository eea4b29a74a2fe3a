"""One flag evaluated on an evaluation context, with OFREP's reasons and error codes.

Order: the kill switch (DISABLED, the off variant), then the targeting rules (first match:
TARGETING_MATCH), then the split (SPLIT; it needs a targeting key), then the default (STATIC
for a flag with neither rules nor a split, else DEFAULT)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix.domain.flags.model import Flag
from hotfix.domain.flags.split import assign

REASONS = ("TARGETING_MATCH", "SPLIT", "DISABLED", "STATIC", "DEFAULT", "ERROR")
ERROR_CODES = ("FLAG_NOT_FOUND", "TYPE_MISMATCH", "PARSE_ERROR", "TARGETING_KEY_MISSING",
               "INVALID_CONTEXT", "GENERAL")


@dataclass(frozen=True)
class Evaluation:
    key: str
    value: Any = None
    variant: str | None = None
    reason: str = "ERROR"
    error_code: str | None = None
    error_details: str | None = None

    def ofrep(self) -> dict[str, Any]:
        """The OFREP body: a success, or an evaluation failure."""
        if self.error_code:
            return {"key": self.key, "errorCode": self.error_code,
                    "errorDetails": self.error_details}
        return {"key": self.key, "value": self.value, "variant": self.variant,
                "reason": self.reason, "metadata": {}}


def failure(key: str, code: str, details: str) -> Evaluation:
    return Evaluation(key, reason="ERROR", error_code=code, error_details=details)


def context_error(context: Any) -> str | None:
    """Why ``context`` is not an evaluation context, or None."""
    if not isinstance(context, Mapping):
        return "the evaluation context is an object"
    if not all(isinstance(k, str) for k in context):
        return "the evaluation context's attribute names are strings"
    key = context.get("targetingKey")
    if key is not None and not isinstance(key, str):
        return "targetingKey is a string"
    return None


def evaluate(flag: Flag, context: Mapping[str, Any]) -> Evaluation:
    invalid = context_error(context)
    if invalid:
        return failure(flag.key, "INVALID_CONTEXT", invalid)
    if flag.killed:
        return _served(flag, flag.off_variant, "DISABLED")
    for rule in flag.rules:
        if rule.matches(context):
            return _served(flag, rule.variant, "TARGETING_MATCH")
    if flag.split:
        key = context.get("targetingKey")
        if not key:
            return failure(flag.key, "TARGETING_KEY_MISSING",
                           f"{flag.key} is split by percentage: the context needs a "
                           "targetingKey (the user's id)")
        return _served(flag, assign(flag.key, key, flag.split), "SPLIT")
    return _served(flag, flag.default, "DEFAULT" if flag.rules else "STATIC")


def _served(flag: Flag, variant: str, reason: str) -> Evaluation:
    return Evaluation(flag.key, flag.variants[variant], variant, reason)
