"""Template pre-approval: an approver other than the template's authors approves its
content hash, as an ``approve_template`` event on the record.

A template's authors are its file's ``author`` and everyone who synced a catalog version
holding that exact template (``template_digest``: the template and its zone). An approval
pins the digest: an edit to the template or its zone makes a new digest, which needs a new
approval; until then the template cannot be used. The events sit on a ``content`` record
of their own (``CATALOG_TITLE``), so they share the record's tamper-evident timeline; what
is approved is derived from them (``approved_by``), never stored apart and never read from
the template's file. How many approvals a change to a zone needs (``content.approvals``)
is ``zone_approvals``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from hotfix.domain.content.catalog import Catalog, Template, template_digest
from hotfix.domain.record.actors import person
from hotfix.domain.record.hotfix import Hotfix

APPROVE_TEMPLATE = "approve_template"  # the event's kind
CATALOG_TITLE = "content templates: their approvals"  # the record the events are on
SHORT = 12  # hex digits of a digest shown to people; a prefix this long names one


@dataclass(frozen=True)
class TemplateApproval:
    template: str
    digest: str
    by: str
    at: datetime
    record: str  # the record the event is on (HF-N)
    authors: tuple[str, ...] = ()  # who could not approve it, as the approval saw them

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "digest": self.digest, "by": self.by,
                "at": self.at.isoformat(), "record": self.record,
                "authors": list(self.authors)}


@dataclass(frozen=True)
class Refused:
    message: str
    hint: str
    stale: bool = False  # the template changed since the approver looked


def approvals_in(records: Iterable[Hotfix]) -> list[TemplateApproval]:
    """Every ``approve_template`` event on the records, oldest first."""
    found = [TemplateApproval(str(e.payload.get("template", "")),
                              str(e.payload.get("digest", "")), e.actor, e.at, r.key,
                              tuple(str(a) for a in e.payload.get("authors", ())))
             for r in records for e in r.events if e.kind == APPROVE_TEMPLATE]
    return sorted(found, key=lambda a: a.at)


def approval_of(template: Template,
                approvals: Iterable[TemplateApproval]) -> TemplateApproval | None:
    """The first approval of ``template``'s current digest by someone not its author."""
    for found in approvals:
        if found.template == template.name and found.digest == template.digest and \
                person(found.by) not in {person(a) for a in (template.author, *found.authors)}:
            return found
    return None


def approved_by(catalog: Catalog, approvals: Sequence[TemplateApproval]) -> dict[str, str]:
    """Template name → who approved its current digest, for the templates approved."""
    return {name: found.by for name, t in catalog.templates.items()
            if (found := approval_of(t, approvals)) is not None}


def authors_of(template: Template, synced: Iterable[tuple[Mapping[str, Any], str]]) -> list[str]:
    """Its file's ``author`` and who synced each (body, actor) version holding it as it is."""
    found = [template.author] if template.author.strip() else []
    for body, actor in synced:
        try:
            same = template_digest(body, template.name) == template.digest
        except (KeyError, TypeError):
            same = False
        if same:
            found.append(actor)
    return sorted({person(a) for a in found})


def refusal(template: Template, actor: str, given: str, authors: Sequence[str],
            approvers: Sequence[str]) -> Refused | None:
    """Why ``actor`` may not approve ``template`` as they saw it (digest ``given``, or a
    prefix of at least ``SHORT`` hex digits), or None. ``approvers``: when any are listed,
    only they approve."""
    name = template.name
    if approvers and person(actor) not in {person(a) for a in approvers}:
        return Refused(f"{actor} is not an approver", "approvers are listed in hotfix.toml "
                       "under [approvals] approvers (on a team server: the role approver)")
    if person(actor) in {person(a) for a in authors}:
        return Refused(f"{actor} is an author of template {name!r} (its author, or who "
                       f"synced it: {', '.join(authors)}) and cannot approve it",
                       f"an approver other than its authors approves it: hotfix content "
                       f"approve {name} --as OTHER@EXAMPLE.COM")
    given = given.strip().lower()
    if len(given) < SHORT or not template.digest.startswith(given):
        return Refused(f"template {name!r} changed since you looked: you approve "
                       f"{given[:SHORT] or 'no digest'}, the synced one is "
                       f"{template.digest[:SHORT]}",
                       "review the synced template again (hotfix content templates) and "
                       f"approve that one: hotfix content approve {name}", stale=True)
    return None


def zone_approvals(zone: str, rules: Sequence[tuple[str, int]]) -> int | None:
    """How many approvals a change to ``zone`` needs by ``content.approvals`` (zone name or
    glob → a count): its own name's count, else the highest of the globs matching it; None
    when no rule names it (the record's severity decides, as for any record)."""
    exact = [n for pattern, n in rules if pattern == zone]
    if exact:
        return exact[-1]
    globbed = [n for pattern, n in rules if fnmatchcase(zone, pattern)]
    return max(globbed) if globbed else None
