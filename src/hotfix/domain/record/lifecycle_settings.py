"""What a project configures about its lifecycle, validated: one value the engine reads.

    project.kind      service | library: the kind of a code hotfix of this project
    close.require     {kind: [field, ...]}: documentation a record needs before it closes
    guards.enable     {kind: [guard, ...]}: optional guards switched on (e.g. backout-plan)
    content.templates the approved content templates (the approved-template guard)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotfix.domain.record.documentation import FIELD_NAME_RULE, KNOWN, is_field_name
from hotfix.domain.record.kinds import KINDS, PROJECT_KINDS


class LifecycleSettingsError(ValueError):
    """A lifecycle setting names an unknown kind, guard or field; the message says which."""


@dataclass(frozen=True)
class LifecycleSettings:
    project_kind: str = "service"
    close_require: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    guards_enabled: Mapping[str, frozenset[str]] = field(default_factory=dict)
    approved_templates: tuple[str, ...] = ()
    signed_in: bool = False  # on the team server: who acts is a token, next steps say no --as

    def required_fields(self, kind: str) -> tuple[str, ...]:
        return self.close_require.get(kind, ())

    def guard_on(self, kind: str, guard: str) -> bool:
        return guard in self.guards_enabled.get(kind, frozenset())


DEFAULT_SETTINGS = LifecycleSettings()


def lifecycle_settings(project_kind: str, close_require: Mapping[str, Any],
                       guards_enable: Mapping[str, Any],
                       approved_templates: Sequence[Any] = ()) -> LifecycleSettings:
    """Check the raw settings and build the value; a clear error for anything unknown."""
    if project_kind not in PROJECT_KINDS:
        raise LifecycleSettingsError(f"project.kind must be one of {', '.join(PROJECT_KINDS)}, "
                                     f"got {project_kind!r}")
    return LifecycleSettings(
        project_kind,
        {kind: _fields(kind, names) for kind, names in _per_kind("close.require", close_require)},
        {kind: _optional(kind, names) for kind, names in _per_kind("guards.enable", guards_enable)},
        tuple(str(t) for t in approved_templates),
    )


def _per_kind(setting: str, table: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for kind, names in table.items():
        if kind not in KINDS:
            raise LifecycleSettingsError(f"{setting}: unknown record kind {kind!r}; kinds: "
                                         f"{', '.join(KINDS)}")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise LifecycleSettingsError(f"{setting}.{kind} must be a list of names, "
                                         f"got {names!r}")
        out.append((kind, names))
    return out


def _fields(kind: str, names: list[str]) -> tuple[str, ...]:
    for name in names:
        if not is_field_name(name):
            raise LifecycleSettingsError(f"close.require.{kind}: {name!r} is not a field name "
                                         f"({FIELD_NAME_RULE})")
        if name in KNOWN:
            raise LifecycleSettingsError(f"close.require.{kind}: {name!r} is filled in by "
                                         "hotfix itself from the record, so it is never "
                                         f"missing; the fields it writes: {', '.join(KNOWN)}")
    return tuple(dict.fromkeys(names))


def _optional(kind: str, names: list[str]) -> frozenset[str]:
    optional = KINDS[kind].optional_guards
    for name in names:
        if name not in optional:
            can = ", ".join(sorted(optional)) or "none"
            raise LifecycleSettingsError(f"guards.enable.{kind}: {name!r} is not an optional "
                                         f"guard of the {kind} kind (optional: {can})")
    return frozenset(names)
