"""A content change is a ``content`` record: opened and drafted through an approved template
of the synced catalog, approved as its kind asks, published and reverted at once (each an
event). A template is approved by an approver other than its authors, pinning its content
hash, as an ``approve_template`` event (``hotfix.domain.content.approval``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotfix.domain.content.approval import (
    APPROVE_TEMPLATE,
    CATALOG_TITLE,
    TemplateApproval,
    approval_of,
    approvals_in,
    approved_by,
    authors_of,
    refusal,
    zone_approvals,
)
from hotfix.domain.content.catalog import Catalog, Template, with_approvals
from hotfix.domain.content.images import ImageFacts, Upload, kept_reference
from hotfix.domain.content.live import Live, Publish, history, live_zones, nothing, schedule_of
from hotfix.domain.content.slots import SlotRefused
from hotfix.domain.record.actors import person
from hotfix.domain.record.hotfix import Hotfix
from hotfix.domain.record.lifecycle import pinned_approvals
from hotfix.domain.record.states import State
from hotfix.errors import GuardRefused, NotFound, PolicyViolation, UsageError, ZoneChanged
from hotfix.ports.clock import Clock
from hotfix.ports.content import CatalogVersion, ContentCatalogs, Pruned
from hotfix.ports.record import EventLog, Records
from hotfix.services.content.catalog import sync
from hotfix.services.content.images import GRACE, prune
from hotfix.services.content.zones import Derived, ZoneCache
from hotfix.services.record.records import LocalRecords

CODE_HOTFIX = ("anything without an approved template is a code hotfix: "
               'hotfix open "…" -a change_kind=code')
# a content change is significant (someone needs it today), touches few users, no workaround
ANSWERS = {"significant": True, "users_affected": 0.0, "workaround": False,
           "change_kind": "content"}


def deciding_with(records: LocalRecords, catalog: Catalog) -> LocalRecords:
    """``records`` with the catalog's approved templates as the only approved ones."""
    approved = tuple(sorted(n for n, t in catalog.templates.items() if t.approved))
    settings = replace(records.settings, templates=approved,
                       lifecycle=replace(records.settings.lifecycle, approved_templates=approved))
    return LocalRecords(records.log, settings, records.clock, records.notices)


@dataclass(frozen=True)
class ContentDesk:
    """What the content use cases run on: the catalogs, the record (decided with a catalog's
    approved templates), the clock, the checkout paths no zone may appear on, and who
    approves templates (when any are listed, only they: the record's approvers); ``cache``
    keeps the derived zones between calls (a server's, per project: services.server)."""

    catalogs: ContentCatalogs
    records_for: Callable[[Catalog], LocalRecords]
    clock: Clock
    checkout: Sequence[str]
    approvers: Sequence[str] | Callable[[], Sequence[str]] = ()  # a callable: read on use
    cache: ZoneCache = field(default_factory=ZoneCache)
    log: EventLog | None = None  # the events under records_for's record: checks the cache
    #                              without building that record (the server's, per request)
    needed: Sequence[tuple[str, int]] = ()  # content.approvals: zone or glob → count

    def sync(self, body: Mapping[str, Any], actor: str) -> tuple[CatalogVersion, bool]:
        return sync(self.catalogs, body, actor, self.clock, self.checkout)

    def catalog(self) -> tuple[CatalogVersion, Catalog]:
        """The newest version, each template approved when its digest has an approval."""
        version, catalog, _ = self._approved()
        return version, catalog

    def approvals(self) -> tuple[CatalogVersion, Catalog, dict[str, TemplateApproval]]:
        """The newest version and, for each approved template, the approval it stands on."""
        version, catalog, found = self._approved()
        return version, catalog, {name: a for name, t in catalog.templates.items()
                                  if (a := approval_of(t, found)) is not None}

    def image(self, name: str) -> bytes | None:
        kept = self.catalogs.images.get(name)
        return kept.data if kept is not None else None

    def prune_images(self, apply: bool, grace: timedelta = GRACE) -> Pruned:
        """The kept images no event of any record names (``services.content.images``);
        removed when ``apply``. A project that never synced a catalog has none."""
        if self.catalogs.latest() is None:
            return Pruned((), 0, 0, apply)
        _, _catalog, records = self._current(approved=False)
        return prune(self.catalogs.images, records, self.clock.now(), apply=apply,
                     grace=grace)

    def approve(self, name: str, digest: str, actor: str) -> tuple[TemplateApproval, bool]:
        """``actor`` approves template ``name`` as they saw it (its ``digest``): an
        ``approve_template`` event pinning it; ``GuardRefused`` for its author, someone who
        is not an approver, or a digest the template no longer has (it changed since). An
        approval already standing is returned as it is (False: nothing written)."""
        version, catalog, found = self._approved()
        template = _template(catalog, name)
        authors = authors_of(template, ((v.body, v.actor) for v in self.catalogs.versions()))
        approvers = self.approvers() if callable(self.approvers) else self.approvers
        refused = refusal(template, actor, digest, authors, approvers)
        if refused is not None:
            raise GuardRefused(refused.message, hint=refused.hint)
        standing = approval_of(template, found)
        if standing is not None:
            return standing, False
        records = self.records_for(catalog)
        record = records.act(self._approvals_record(records, found, actor), APPROVE_TEMPLATE,
                             actor, {"template": name, "digest": template.digest,
                                     "zone": template.zone, "catalog_version": version.version,
                                     "authors": authors})
        event = record.events[-1]
        return TemplateApproval(name, template.digest, event.actor, event.at, record.key,
                                tuple(authors)), True

    def _approvals_record(self, records: Records, found: Sequence[TemplateApproval],
                          actor: str) -> str:
        """The record the template approvals go on: the newest holding one, unless it was
        closed; else a new ``content`` record."""
        if found and records.get(found[-1].record).state is not State.CLOSED:
            return found[-1].record
        return records.open(CATALOG_TITLE, actor, kind="content").key

    def _approved(self) -> tuple[CatalogVersion, Catalog, list[TemplateApproval]]:
        """The newest version with its approvals, read from the cached content records
        (the ``approve_template`` events are on a ``content`` record)."""
        version, catalog = self.cache.catalog(self.catalogs, self.checkout)
        found = approvals_in(self.derived().content)
        return version, with_approvals(catalog, approved_by(catalog, found)), found

    def _current(self, approved: bool = True) -> tuple[int, Catalog, LocalRecords]:
        """The newest version, its catalog (with the approvals, unless only reading the
        zones) and the record decided with it."""
        if approved:
            version, catalog, _ = self._approved()
        else:
            version, catalog = self.cache.catalog(self.catalogs, self.checkout)
        return version.version, catalog, self.records_for(catalog)

    def derived(self) -> Derived:
        """Every content record and what each zone shows now (with its fragment): from the
        cache while no event was written and no schedule instant passed since it was
        derived, else derived again from the records."""
        version, catalog = self.cache.catalog(self.catalogs, self.checkout)

        def records() -> LocalRecords:
            return self.records_for(catalog)

        log = self.log if self.log is not None else records().log
        return self.cache.derived(version, catalog, log, records, self.catalogs,
                                  self.checkout, self.clock.now)

    def change(self, name: str, values: Mapping[str, Any], actor: str,
               title: str | None = None, files: Mapping[str, Upload] | None = None) -> Hotfix:
        """A new content record, triaged to content and drafted; nothing is opened (and no
        file kept) when a value or a file is refused."""
        version, catalog, records = self._current()
        draft = self._checked(version, catalog, name, values, files or {}, actor)
        opened = records.open(title or f"content: {name} in zone {draft['zone']}", actor,
                              {**ANSWERS, "template": name}, kind="content")
        return records.act(opened.key, "draft", actor, self._pinned(records, opened, draft))

    def draft(self, key: str, name: str, values: Mapping[str, Any], actor: str,
              files: Mapping[str, Upload] | None = None) -> Hotfix:
        """A (new) draft on a record triage routed to content; it needs a new approval."""
        version, catalog, records = self._current()
        draft = self._checked(version, catalog, name, values, files or {}, actor)
        return records.act(key, "draft", actor, self._pinned(records, records.get(key), draft))

    def _pinned(self, records: LocalRecords, record: Hotfix,
                draft: dict[str, Any]) -> dict[str, Any]:
        """``draft`` with the approvals it needs pinned (``approvals_required``): its zone's
        by ``content.approvals``, else what the record's severity needs; a later change of
        either leaves this draft as it was."""
        needed = zone_approvals(str(draft["zone"]), self.needed)
        if needed is None:
            severity = record.triage["severity"] if record.triage else "SEV4"
            needed = int(records.settings.approvals_required.get(severity, 1))
        return {**draft, "approvals_required": needed}

    def approve_change(self, key: str, actor: str, note: str = "") -> Hotfix:
        """``actor`` approves content change ``key`` (``approve`` on its record): refused
        for its requester, for someone who approved it already, and for someone the record
        does not count as an approver of content changes."""
        _, _catalog, records = self._current(approved=False)
        _draft(records.get(key))
        return records.act(key, "approve", actor, {"note": note})

    def _checked(self, version: int, catalog: Catalog, name: str, values: Mapping[str, Any],
                 files: Mapping[str, Upload], actor: str) -> dict[str, Any]:
        """The draft's payload, every value and file checked, and ``over``: the record its
        zone shows as it is drafted (None: nothing), which its publish expects to replace;
        the files are kept (under their content hash) only once all of it passed."""
        template = _approved(catalog, name)
        try:
            fresh = _uploaded(template, files)
            images = {**self.kept_images(template, values), **fresh}
            filled = template.fill(values, self.clock.now().date(), images)
        except SlotRefused as exc:
            raise UsageError(str(exc), hint=f"see the slots: hotfix content templates "
                             f"(template {name!r})") from None
        for slot, found in fresh.items():
            self.catalogs.images.keep(found, files[slot].data, actor, self.clock.now())
        shown = self.derived().zones.get(template.zone)
        return {"template": name, "zone": template.zone, "values": filled,
                "catalog_version": version, "template_digest": template.digest,
                "over": shown.key if shown else None}

    def kept_images(self, template: Template, values: Mapping[str, Any]
                    ) -> dict[str, ImageFacts]:
        """The images kept on this record that ``values`` name in ``template``'s image
        slots (``/content/v1/images/NAME|alt``, as a published value goes back into a
        form); a name not kept is left for the slot's check to refuse."""
        out: dict[str, ImageFacts] = {}
        for slot in template.slots:
            name = kept_reference(str(values.get(slot.name, ""))) \
                if slot.type == "image" else None
            found = self.catalogs.images.facts(name) if name else None
            if found is not None:
                out[slot.name] = found
        return out

    def publish(self, key: str, actor: str, over: str | None = None) -> Hotfix:
        """Publish now, if the zone still shows what it showed when ``key`` was drafted
        (or ``over``: a record's id, or ``none``): checked under the zone's lock, so of two
        publishes to one zone at once exactly one lands and the other is told which."""
        records, zone, among = self._publishable(key, over)
        return records.act(key, "publish", actor, {"zone": zone}, among=among)

    def schedule(self, key: str, actor: str, start: str | None, end: str | None,
                 tz: str = "UTC", over: str | None = None) -> Hotfix:
        """Publish at ``start`` (default now) and take off at ``end`` (optional), both read
        in time zone ``tz`` unless they carry an offset; a job logs each move when due. The
        zone is checked as ``publish`` checks it, now."""
        begins, ends, errors = window(start, end, tz, self.clock.now(), key)
        if errors:
            raise next(iter(errors.values()))
        records, zone, among = self._publishable(key, over)
        return records.act(key, "schedule", actor, {
            "zone": zone, "start": _utc(begins), "end": _utc(ends) if ends else None,
            "tz": tz}, among=among)

    def run_due(self) -> list[tuple[str, str]]:
        """Log every scheduled move due now (``publish``, ``expire``; what was missed while
        nothing ran, too): each as its scheduler, with ``scheduled: true``. A project that
        never synced a catalog has nothing scheduled. The content records come from the
        cache: a run with nothing written since reads no event."""
        if self.catalogs.newest() is None:
            return []
        _, _catalog, records = self._current()
        now, done = self.clock.now(), []
        for record in self.derived().content:
            if record.state.value not in ("scheduled", "published"):
                continue
            schedule = schedule_of(record)
            move = schedule.due(record, now) if schedule else None
            if schedule is None or move is None:
                continue
            scheduler = next(e.actor for e in reversed(record.events) if e.kind == "schedule")
            due = schedule.start if move == "publish" else schedule.end
            zone = str(_draft(record)["zone"])
            try:
                records.act(record.key, move, scheduler, {
                    "zone": zone, "scheduled": True, "due": _utc(due) if due else None},
                    among=self._among(zone, None))
            except GuardRefused:
                if records.get(record.key).state == record.state:
                    raise
                continue  # another replica's job moved it first
            done.append((record.key, move))
        return done

    def _publishable(self, key: str, over: str | None) -> tuple[LocalRecords, str, Among]:
        _, catalog, records = self._current()
        record = records.get(key)
        draft = _draft(record)
        template = _template(catalog, str(draft["template"]))
        if template.digest != draft.get("template_digest"):
            raise PolicyViolation(
                f"template {template.name!r} changed since {key} was drafted: its values "
                "were checked against the old version", hint="make the change again: "
                f"hotfix content change {template.name} --set …")
        zone = _approved(catalog, template.name).zone
        _enough_approvals(record, draft, zone)
        if over is not None:
            expected: str | None = None if over.strip().lower() == "none" else \
                records.get(over).key  # NotFound for a record that does not exist
        elif "over" in draft:
            expected = draft["over"]
        else:
            return records, zone, self._among(zone, None)  # drafted before the check
        return records, zone, self._among(zone, (record.key, expected, over is not None))

    def _among(self, zone: str, expecting: tuple[str, str | None, bool] | None) -> Among:
        """The zone's lock, and under it (when ``expecting``: this record, the one the zone
        should show, whether the caller named it) the check that nobody moved it first."""
        def check(every: list[Hotfix]) -> None:
            if expecting is None:
                return
            key, expected, named = expecting
            shown = live_zones(every, self.clock.now()).get(zone) or nothing(zone)
            if shown.key not in (expected, key):  # its own key: a retried request
                raise zone_changed(zone, key, expected, shown, every, named)
        return f"content-zone:{zone}", check

    def revert(self, key: str, actor: str) -> Hotfix:
        _, _catalog, records = self._current(approved=False)
        draft = _draft(records.get(key))
        zone = str(draft["zone"])
        return records.act(key, "revert", actor, {"zone": zone},
                           among=self._among(zone, None))

    def revert_to(self, zone: str, key: str, actor: str) -> list[Hotfix]:
        """Make ``zone`` show ``key``'s publish again: every publish standing above it is
        reverted, newest first (each a revert event on its own record)."""
        standing = [p.key for p in self.history(zone) if p.standing]
        if key not in standing:
            raise GuardRefused(f"{key} is not a publish still standing on zone {zone!r}",
                               hint="pick a version the zone's history shows as standing; "
                               "a reverted change is made again: hotfix content change …")
        return [self.revert(above, actor) for above in reversed(standing[
            standing.index(key) + 1:])]

    def history(self, zone: str) -> list[Publish]:
        """Every publish to ``zone``, oldest first."""
        derived = self.derived()
        _known(derived.catalog, zone)
        return history(derived.content, zone, self.clock.now())

    def zone(self, name: str) -> Live:
        """What zone ``name`` shows now, with its rendered fragment."""
        derived = self.derived()
        _known(derived.catalog, name)
        return derived.zones.get(name) or nothing(name)


Among = tuple[str, Callable[[list[Hotfix]], None]]  # LocalRecords.act's lock name and check


def zone_changed(zone: str, key: str, expected: str | None, shown: Live,
                 every: Sequence[Hotfix], named: bool = False) -> ZoneChanged:
    """What the loser of a race to a zone is told: who moved it and what it shows now
    (``named``: ``expected`` came from ``--over``, not from the draft)."""
    was = expected or "nothing"
    if not named:
        since = f"changed since {key} was drafted against {was}"
    else:
        since = (f"does not show {expected}, which {key} was to replace" if expected
                 else f"is not empty, as {key} expected")
    if shown.key is None:
        now = "it shows nothing now"
    else:
        by = next((r for r in every if r.key == shown.key), None)
        step = next((e for e in reversed(by.events) if e.kind in ("publish", "schedule")),
                    None) if by else None
        who = f" by {step.actor}" if step else ""
        values = ", ".join(f"{k}={v}" for k, v in shown.values.items())
        now = (f"{shown.key} ({shown.template}: {values}) was published{who} at "
               f"{shown.published_at.isoformat() if shown.published_at else '?'}")
    return ZoneChanged(
        f"zone {zone!r} {since}: {now}; "
        f"nothing of {key} was published", hint="see it: hotfix content show "
        f"{zone}; to put {key} over it: hotfix content publish {key} --over "
        f"{shown.key or 'none'} (or make the change again)")


def _enough_approvals(record: Hotfix, draft: Mapping[str, Any], zone: str) -> None:
    """A drafted change waiting for approvals is refused naming how many it has, of how
    many its zone needs, and by whom."""
    if record.state is not State.DRAFTED:
        return
    needed = pinned_approvals(draft) or 1
    have = sorted({person(a) for a in record.approvals})
    by = f" (by {', '.join(have)})" if have else ""
    raise GuardRefused(
        f"{record.key} has {len(have)} of the {needed} approval{'s' if needed > 1 else ''} "
        f"a change to zone {zone!r} needs{by}: {needed - len(have)} more missing; nothing "
        "was published", hint=f"another approver, not its requester, approves: hotfix "
        f"approve {record.key}")


def _uploaded(template: Template, files: Mapping[str, Upload]) -> dict[str, ImageFacts]:
    """Each file's facts from its bytes, for the image slot it was given to."""
    slots = {s.name: s for s in template.slots}
    out = {}
    for name, upload in files.items():
        if name not in slots:
            raise SlotRefused(name, "known-slot", f"template {template.name!r} has no such "
                              f"slot; its slots: {', '.join(sorted(slots))}")
        out[name] = slots[name].upload(upload.filename, upload.media_type, upload.data)
    return out


def _known(catalog: Catalog, zone: str) -> None:
    if zone not in catalog.zones:
        raise NotFound(f"there is no content zone {zone!r}",
                       hint=f"the zones: {', '.join(sorted(catalog.zones)) or 'none'}")


def _template(catalog: Catalog, name: str) -> Template:
    template = catalog.templates.get(name)
    if template is None:
        known = ", ".join(sorted(catalog.templates)) or "none"
        raise NotFound(f"there is no content template {name!r} (templates: {known})",
                       hint=f"ask engineering for a template; {CODE_HOTFIX}")
    return template


def _approved(catalog: Catalog, name: str) -> Template:
    template = _template(catalog, name)
    if not template.approved:
        raise PolicyViolation(f"template {name!r} is not approved: content is published only "
                              "through a pre-approved template (an edit to a template needs "
                              "a new approval)", hint="an approver other than its author "
                              f"approves it: hotfix content approve {name}; meanwhile "
                              f"{CODE_HOTFIX}")
    return template


def _draft(record: Hotfix) -> Mapping[str, Any]:
    draft = record.last("draft") if record.kind == "content" else None
    if not draft or not draft.get("zone"):
        raise GuardRefused(f"{record.key} is not a content change made through a template",
                           hint="hotfix content change TEMPLATE --set SLOT=VALUE …")
    return draft


def window(start: str | None, end: str | None, tz: str, now: datetime,
           key: str = "HF-N") -> tuple[datetime, datetime | None, dict[str, UsageError]]:
    """A schedule's start (default now) and end as instants, and what is wrong with each
    field (``tz``, ``start``, ``end``; empty when nothing), so a form shows every error
    beside its field and ``schedule`` refuses with the first."""
    errors: dict[str, UsageError] = {}
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors["tz"] = UsageError(f"--tz {tz!r} is not a time zone", hint="e.g. --tz "
                                  "Europe/Berlin (an IANA name) or --tz UTC")
        return now, None, errors
    begins, ends = now, None
    try:
        begins = instant("start", start, tz) if start else now
        if begins < now:
            errors["start"] = UsageError(
                f"start {start!r} is in the past ({_utc(begins)})",
                hint=f"a later start, or publish now: hotfix content publish {key}")
    except UsageError as exc:
        errors["start"] = exc
    try:
        ends = instant("end", end, tz) if end else None
        if ends is not None and ends <= now:
            errors["end"] = UsageError(f"end {end!r} is in the past ({_utc(ends)})",
                                       hint="an end after now and after the start")
        elif ends is not None and "start" not in errors and ends <= begins:
            errors["end"] = UsageError(
                f"end {end!r} ({_utc(ends)}) is not after start ({_utc(begins)})",
                hint="an end after the start")
    except UsageError as exc:
        errors["end"] = exc
    return begins, ends, errors


def instant(field: str, given: str, tz: str) -> datetime:
    """``given`` (ISO, e.g. 2026-12-18T09:00) as an instant: in ``tz`` unless it has an
    offset; a ``UsageError`` naming ``field`` otherwise."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz {tz!r} is not a time zone", hint="e.g. --tz Europe/Berlin "
                         "(an IANA name) or --tz UTC") from None
    try:
        at = datetime.fromisoformat(given)
    except ValueError:
        raise UsageError(f"{field} {given!r} is not an ISO date-time",
                         hint=f"e.g. --{field} 2026-12-18T09:00 --tz Europe/Berlin") from None
    return (at if at.tzinfo else at.replace(tzinfo=zone)).astimezone(UTC)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()
