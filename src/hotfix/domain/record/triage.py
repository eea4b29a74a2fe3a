"""Triage: answers in, severity + route + reasons out. The rubric is data (config).

A rule is a mapping ``{"when": {answer: condition, ...}, "reason": "...", ...}`` with either
``"severity"`` (severity rules: every match contributes, the most severe wins) or
``"route"`` (route rules: the first match wins; a route rule with ``route = ""`` is a note
that adds its reason and lets evaluation go on). A condition is a literal (equality) or a
string ``"<op> <value>"`` with op one of ``== != < <= > >=``. Conditions may name any answer
and the derived facts ``severity`` (compared SEV1 < SEV2 < ...) and ``template_approved``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
ROUTES = ("hotfix", "rollback", "content", "patch-release", "next-release")


@dataclass(frozen=True)
class Question:
    key: str
    kind: type
    prompt: str
    default: Any = None  # None: must be answered for the bug to count as triaged


QUESTIONS: tuple[Question, ...] = (
    Question("significant", bool, "Is the bug significant (visible, blocks a real task)?"),
    Question("users_affected", float, "Share of users affected, 0 to 1 (0.6 = 60%)?"),
    Question("workaround", bool, "Is there a reasonable workaround?"),
    Question("costing_money", bool, "Is it costing money right now?", False),
    Question("liability", bool, "Does it create legal or contractual liability?", False),
    Question("security", bool, "Is it a security hole?", False),
    Question("feature_down", bool, "Is a fundamental feature disabled?", False),
    Question("caused_by_last_deploy", bool, "Did the latest deploy cause it?", False),
    Question("rollback_safe", bool, "Can the latest deploy be rolled back safely?", False),
    Question("change_kind", str, "Is the fix a code or a content change? (code/content)", "code"),
    Question("touches_checkout", bool, "Does the change touch checkout or payments?", False),
    Question("needs_custom_logic", bool, "Does it need custom logic (JavaScript)?", False),
    Question("template", str, "Approved content template to use (empty if none)?", ""),
)
QUESTION_KEYS = {q.key: q for q in QUESTIONS}
REQUIRED = tuple(q.key for q in QUESTIONS if q.default is None)
ANSWER_ALIASES = {  # shorter names people type for some questions
    "users": "users_affected", "security_hole": "security", "money": "costing_money",
    "caused_by_deploy": "caused_by_last_deploy", "custom_logic": "needs_custom_logic",
    "checkout": "touches_checkout", "kind": "change_kind",
}


@dataclass(frozen=True)
class Reason:
    text: str
    answers: tuple[str, ...]  # the answers (or facts) whose values produced it

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "answers": list(self.answers)}


@dataclass(frozen=True)
class Decision:
    severity: str
    route: str
    reasons: tuple[Reason, ...]
    assumed: tuple[str, ...] = ()  # answers not given, taken at their default
    answers: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "route": self.route,
            "reasons": [r.to_dict() for r in self.reasons],
            "assumed": list(self.assumed),
            "answers": dict(self.answers),
        }


class RubricError(ValueError):
    """The rubric or the answers are malformed; the message names the rule or answer."""


class UnreadableAnswer(RubricError):
    """An answer written as something other than ``KEY=VALUE`` with a known KEY."""


def answer_key(name: str) -> str:
    """The question ``name`` stands for: ``-`` read as ``_``, an alias as its key."""
    key = name.strip().replace("-", "_")
    return ANSWER_ALIASES.get(key, key)


def parse_answers(items: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` items (a question's key or alias) as answers; a later one wins."""
    answers: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        key = answer_key(name)
        if not sep or key not in QUESTION_KEYS:
            raise UnreadableAnswer(f"cannot read the answer {item!r}")
        answers[key] = value.strip()
    return answers


def missing_answers(answers: Mapping[str, Any]) -> list[str]:
    return [key for key in REQUIRED if answers.get(key) is None]


def normalise_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Validate answer types and ranges; fill the optional ones with their defaults."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in QUESTION_KEYS:
            raise RubricError(f"unknown triage answer {key!r}; known: {', '.join(QUESTION_KEYS)}")
        if value is not None:
            out[key] = _coerce(QUESTION_KEYS[key], value)
    share = out.get("users_affected")
    if share is not None and not 0.0 <= share <= 1.0:
        raise RubricError(f"users_affected must be between 0 and 1, got {share}")
    if out.get("change_kind", "code") not in ("code", "content"):
        raise RubricError(f"change_kind must be 'code' or 'content', got {out['change_kind']!r}")
    for q in QUESTIONS:
        if q.default is not None:
            out.setdefault(q.key, q.default)
    return out


def _coerce(question: Question, value: Any) -> Any:
    if question.kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"y", "yes", "true", "1"}:
            return True
        if text in {"n", "no", "false", "0"}:
            return False
        raise RubricError(f"{question.key} must be yes or no, got {value!r}")
    if question.kind is float:
        try:
            text = str(value).strip()
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise RubricError(f"{question.key} must be a number, got {value!r}") from None
    return str(value).strip()


def decide(
    answers: Mapping[str, Any],
    severity_rules: Sequence[Mapping[str, Any]],
    route_rules: Sequence[Mapping[str, Any]],
    approved_templates: Sequence[str] = (),
) -> Decision:
    """Apply the rubric. ``answers`` must contain every required answer."""
    missing = missing_answers(answers)
    if missing:
        raise RubricError(f"cannot triage without answers to: {', '.join(missing)}")
    given = set(answers)
    facts = normalise_answers(answers)
    facts["template_approved"] = bool(facts["template"]) and facts["template"] in approved_templates
    severity, reasons = _severity(facts, severity_rules)
    facts["severity"] = severity
    route, route_reasons = _route(facts, route_rules)
    assumed = tuple(q.key for q in QUESTIONS if q.default is not None and q.key not in given)
    answered = {q.key: facts[q.key] for q in QUESTIONS}
    return Decision(severity, route, tuple(reasons + route_reasons), assumed, answered)


def _severity(
    facts: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]
) -> tuple[str, list[Reason]]:
    """The most severe matching level, with the reasons of the rules at that level."""
    matched: list[tuple[str, Reason]] = []
    for index, rule in enumerate(rules):
        level = _rule_field(rule, "severity", index, SEVERITIES)
        if _matches(rule, facts, index):
            matched.append((level, Reason(str(rule.get("reason", level)), tuple(rule["when"]))))
    if not matched:
        return SEVERITIES[-1], [Reason("no severity rule matched: minor", ())]
    worst = min((level for level, _ in matched), key=SEVERITIES.index)
    return worst, [reason for level, reason in matched if level == worst]


def _route(
    facts: Mapping[str, Any], rules: Sequence[Mapping[str, Any]]
) -> tuple[str, list[Reason]]:
    reasons: list[Reason] = []
    for index, rule in enumerate(rules):
        route = _rule_field(rule, "route", index, (*ROUTES, ""))
        if _matches(rule, facts, index):
            reasons.append(Reason(str(rule.get("reason", route)), tuple(rule["when"])))
            if route:
                return route, reasons
    raise RubricError("no route rule matched; the last route rule should have an empty `when`")


def _rule_field(rule: Mapping[str, Any], name: str, index: int, allowed: Sequence[str]) -> str:
    value = rule.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise RubricError(f"rule {index + 1}: {name} must be one of {list(allowed)}, got {value!r}")
    if not isinstance(rule.get("when", {}), Mapping):
        raise RubricError(f"rule {index + 1}: `when` must be a table of answer = condition")
    return value


def _matches(rule: Mapping[str, Any], facts: Mapping[str, Any], index: int) -> bool:
    when: Mapping[str, Any] = rule.get("when", {})
    for key, condition in when.items():
        if key not in facts:
            raise RubricError(f"rule {index + 1}: unknown answer {key!r} in `when`")
        if not _holds(facts[key], condition, key):
            return False
    return True


_OPS = ("<=", ">=", "==", "!=", "<", ">")


def _holds(actual: Any, condition: Any, key: str) -> bool:
    if isinstance(condition, str):
        for op in _OPS:
            if condition.startswith(op):
                return _compare(actual, op, condition[len(op) :].strip(), key)
    return bool(actual == condition)


def _compare(actual: Any, op: str, raw: str, key: str) -> bool:
    if key == "severity":
        left: Any = SEVERITIES.index(actual)
        right: Any = SEVERITIES.index(raw)
    elif isinstance(actual, bool | str):
        left, right = str(actual).lower(), raw.lower()
    else:
        left, right = float(actual), float(raw)
    outcome: bool = {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "==": left == right,
        "!=": left != right,
    }[op]
    return outcome


DEFAULT_SEVERITY_RULES: list[dict[str, Any]] = [
    {"when": {"security": True}, "severity": "SEV1", "reason": "it is a security hole"},
    {"when": {"feature_down": True}, "severity": "SEV1", "reason": "a fundamental feature is down"},
    {
        "when": {"costing_money": True, "users_affected": ">= 0.1"},
        "severity": "SEV1",
        "reason": "it is costing money for a large share of users",
    },
    {"when": {"costing_money": True}, "severity": "SEV2", "reason": "it is costing money"},
    {"when": {"liability": True}, "severity": "SEV2", "reason": "it creates liability"},
    {
        "when": {"significant": True, "users_affected": ">= 0.5", "workaround": False},
        "severity": "SEV2",
        "reason": "significant, affects most users and has no reasonable workaround",
    },
    {
        "when": {"significant": True},
        "severity": "SEV3",
        "reason": "significant, but not urgent on its own",
    },
]

DEFAULT_ROUTE_RULES: list[dict[str, Any]] = [
    {
        "when": {"change_kind": "content", "touches_checkout": True},
        "route": "",
        "reason": "content changes never touch checkout: routed to engineering",
    },
    {
        "when": {"change_kind": "content", "needs_custom_logic": True},
        "route": "",
        "reason": "content changes never carry custom logic (JavaScript): routed to engineering",
    },
    {
        "when": {"change_kind": "content", "template_approved": False},
        "route": "",
        "reason": "no approved template covers this content change: routed to engineering",
    },
    {
        "when": {
            "change_kind": "content",
            "touches_checkout": False,
            "needs_custom_logic": False,
            "template_approved": True,
        },
        "route": "content",
        "reason": "a content change through an approved template: no code release needed",
    },
    {
        "when": {"caused_by_last_deploy": True, "rollback_safe": True, "severity": "<= SEV2"},
        "route": "rollback",
        "reason": "the latest deploy caused it and can be rolled back safely: roll back first",
    },
    {"when": {"severity": "SEV1"}, "route": "hotfix", "reason": "SEV1: hotfix now"},
    {
        "when": {"severity": "SEV2", "workaround": False},
        "route": "hotfix",
        "reason": "SEV2 with no reasonable workaround: hotfix now",
    },
    {
        "when": {"severity": "<= SEV3"},
        "route": "patch-release",
        "reason": "can wait for the next planned patch release with full QA",
    },
    {"when": {}, "route": "next-release", "reason": "minor: ship it with the next release"},
]
