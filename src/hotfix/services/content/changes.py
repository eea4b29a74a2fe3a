"""A content change is a ``content`` record: opened and drafted through a template of the
synced catalog, approved as its kind asks, published and reverted at once (each an event)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotfix.domain.content.catalog import Catalog, Template, digest
from hotfix.domain.content.live import Live, Publish, history, live_zones, nothing, schedule_of
from hotfix.domain.content.slots import SlotRefused
from hotfix.domain.record.hotfix import Hotfix
from hotfix.errors import GuardRefused, NotFound, PolicyViolation, UsageError, ZoneChanged
from hotfix.ports.clock import Clock
from hotfix.ports.content import CatalogVersion, ContentCatalogs
from hotfix.ports.record import EventLog
from hotfix.services.content.catalog import sync
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
    approved templates), the clock and the checkout paths no zone may appear on; ``cache``
    keeps the derived zones between calls (a server's, per project: services.server)."""

    catalogs: ContentCatalogs
    records_for: Callable[[Catalog], LocalRecords]
    clock: Clock
    checkout: Sequence[str]
    cache: ZoneCache = field(default_factory=ZoneCache)
    log: EventLog | None = None  # the events under records_for's record: checks the cache
    #                              without building that record (the server's, per request)

    def sync(self, body: Mapping[str, Any], actor: str) -> tuple[CatalogVersion, bool]:
        return sync(self.catalogs, body, actor, self.clock, self.checkout)

    def catalog(self) -> tuple[CatalogVersion, Catalog]:
        return self.cache.catalog(self.catalogs, self.checkout)

    def _current(self) -> tuple[int, Catalog, LocalRecords]:
        version, catalog = self.catalog()
        return version.version, catalog, self.records_for(catalog)

    def derived(self) -> Derived:
        """Every content record and what each zone shows now (with its fragment): from the
        cache while no event was written and no schedule instant passed since it was
        derived, else derived again from the records."""
        version, catalog = self.catalog()

        def records() -> LocalRecords:
            return self.records_for(catalog)

        log = self.log if self.log is not None else records().log
        return self.cache.derived(version, catalog, log, records, self.catalogs,
                                  self.checkout, self.clock.now)

    def change(self, name: str, values: Mapping[str, Any], actor: str,
               title: str | None = None) -> Hotfix:
        """A new content record, triaged to content and drafted; nothing is opened when a
        value is refused."""
        version, catalog, records = self._current()
        draft = self._checked(version, catalog, name, values)
        opened = records.open(title or f"content: {name} in zone {draft['zone']}", actor,
                              {**ANSWERS, "template": name}, kind="content")
        return records.act(opened.key, "draft", actor, draft)

    def draft(self, key: str, name: str, values: Mapping[str, Any], actor: str) -> Hotfix:
        """A (new) draft on a record triage routed to content; it needs a new approval."""
        version, catalog, records = self._current()
        return records.act(key, "draft", actor, self._checked(version, catalog, name, values))

    def _checked(self, version: int, catalog: Catalog, name: str,
                 values: Mapping[str, Any]) -> dict[str, Any]:
        """The draft's payload: its checked values and ``over``, the record its zone shows
        as it is drafted (None: nothing), which its publish expects to replace."""
        template = _approved(catalog, name)
        try:
            filled = template.fill(values, self.clock.now().date())
        except SlotRefused as exc:
            raise UsageError(str(exc), hint=f"see the slots: hotfix content templates "
                             f"(template {name!r})") from None
        shown = self.derived().zones.get(template.zone)
        return {"template": name, "zone": template.zone, "values": filled,
                "catalog_version": version, "template_digest": _digest(catalog, name),
                "over": shown.key if shown else None}

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
        nothing ran, too): each as its scheduler, with ``scheduled: true``. The content
        records come from the cache: a run with nothing written since reads no event
        (and nothing is due before the first sync)."""
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
                continue  # another replica's job logged it first
            done.append((record.key, move))
        return done

    def _publishable(self, key: str, over: str | None) -> tuple[LocalRecords, str, Among]:
        _, catalog, records = self._current()
        record = records.get(key)
        draft = _draft(record)
        template = _approved(catalog, str(draft["template"]))
        if _digest(catalog, template.name) != draft.get("template_digest"):
            raise PolicyViolation(
                f"template {template.name!r} changed since {key} was drafted: its values "
                "were checked against the old version", hint="make the change again: "
                f"hotfix content change {template.name} --set …")
        if over is not None:
            expected: str | None = None if over.strip().lower() == "none" else \
                records.get(over).key  # NotFound for a record that does not exist
        elif "over" in draft:
            expected = draft["over"]
        else:
            return records, template.zone, self._among(template.zone, None)  # an older draft
        return records, template.zone, self._among(template.zone, (record.key, expected))

    def _among(self, zone: str, expecting: tuple[str, str | None] | None) -> Among:
        """The zone's lock, and under it (when ``expecting``: this record, the one the zone
        should show) the check that nobody moved the zone first."""
        def check(every: list[Hotfix]) -> None:
            if expecting is None:
                return
            key, expected = expecting
            shown = live_zones(every, self.clock.now()).get(zone) or nothing(zone)
            if shown.key not in (expected, key):  # its own key: a retried request
                raise zone_changed(zone, key, expected, shown, every)
        return f"content-zone:{zone}", check

    def revert(self, key: str, actor: str) -> Hotfix:
        _, _catalog, records = self._current()
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
        _known(self.catalog()[1], zone)
        return history(self.derived().content, zone, self.clock.now())

    def zone(self, name: str) -> Live:
        """What zone ``name`` shows now, with its rendered fragment."""
        _known(self.catalog()[1], name)
        return self.derived().zones.get(name) or nothing(name)


Among = tuple[str, Callable[[list[Hotfix]], None]]  # LocalRecords.act's lock name and check


def zone_changed(zone: str, key: str, expected: str | None, shown: Live,
                 every: Sequence[Hotfix]) -> ZoneChanged:
    """What the loser of a race to a zone is told: who moved it and what it shows now."""
    was = expected or "nothing"
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
        f"zone {zone!r} changed since {key} was drafted against {was}: {now}; "
        f"nothing of {key} was published", hint="see it: hotfix content show "
        f"{zone}; to put {key} over it: hotfix content publish {key} --over "
        f"{shown.key or 'none'} (or make the change again)")


def _known(catalog: Catalog, zone: str) -> None:
    if zone not in catalog.zones:
        raise NotFound(f"there is no content zone {zone!r}",
                       hint=f"the zones: {', '.join(sorted(catalog.zones)) or 'none'}")


def _approved(catalog: Catalog, name: str) -> Template:
    template = catalog.templates.get(name)
    if template is None:
        known = ", ".join(sorted(catalog.templates)) or "none"
        raise NotFound(f"there is no content template {name!r} (templates: {known})",
                       hint=f"ask engineering for a template; {CODE_HOTFIX}")
    if not template.approved:
        raise PolicyViolation(f"template {name!r} is not approved: content is published only "
                              "through a pre-approved template", hint="an engineer other than "
                              f"its author approves it (approved = true, approved_by = … in "
                              f"content/templates/{name}.toml, then hotfix content sync); "
                              f"meanwhile {CODE_HOTFIX}")
    return template


def _digest(catalog: Catalog, name: str) -> str:
    return digest({"template": catalog.body["templates"][name],
                   "zone": catalog.body["zones"][catalog.templates[name].zone]})


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
