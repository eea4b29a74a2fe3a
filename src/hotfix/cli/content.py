"""``hotfix content``: sync zones and templates, approve a template, change a zone through
an approved template, publish, revert, and show what a zone serves (docs/content.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hotfix.cli.common import ActorOpt, JsonOpt, actor, console, context, emit

if TYPE_CHECKING:
    from hotfix.domain.content.images import Upload
    from hotfix.domain.record.hotfix import Hotfix

content_app = typer.Typer(help="Content hotfixes through pre-approved templates: sync, "
                          "approve, change, publish, revert.", no_args_is_help=True,
                          rich_markup_mode=None, add_completion=False)
KeyArg = Annotated[str, typer.Argument(help="The content change, e.g. HF-3.")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", "-s", help="A slot's value, SLOT=VALUE (repeat for each slot).")]
FileOpt = Annotated[list[str] | None, typer.Option(
    "--file", "-f", help="An image slot's file, SLOT=PATH (PNG, JPEG, WebP or GIF, checked by "
    "its bytes); --set SLOT=… is then its alt text.")]


def register(app: typer.Typer) -> None:
    app.add_typer(content_app, name="content")


@content_app.command("sync")
def sync_cmd(as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Upload content/zones.toml and content/templates/*.toml as a new catalog version."""
    from hotfix.services.content.catalog import read_catalog
    from hotfix.wiring import content_desk

    with context() as ctx:
        version, created = content_desk(ctx).sync(read_catalog(ctx.root), actor(ctx, as_))
        data: dict[str, Any] = {
            "version": version.version, "digest": version.digest, "created": created,
            "zones": sorted(version.body["zones"]),
            "templates": sorted(version.body["templates"])}
        emit(as_json, data, lambda: console.print(
            f"content catalog version {version.version} "
            f"{'synced' if created else 'unchanged (already the newest)'}: "
            f"{len(data['zones'])} zones, {len(data['templates'])} templates"))


@content_app.command("templates")
def templates_cmd(as_json: JsonOpt = False) -> None:
    """The synced templates: zone, digest, approval and slots."""
    from hotfix.domain.content.approval import SHORT
    from hotfix.wiring import content_desk

    with context() as ctx:
        version, catalog = content_desk(ctx).catalog()
        rows: list[dict[str, Any]] = [{
            "template": t.name, "zone": t.zone, "digest": t.digest, "author": t.author,
            "approved": t.approved, "approved_by": t.approved_by or None,
            "slots": {s.name: s.type for s in t.slots}} for t in catalog.templates.values()]

        def show() -> None:
            console.print(f"catalog version {version.version}")
            for row in rows:
                slots = ", ".join(f"{n} ({k})" for n, k in row["slots"].items())
                state = f"approved by {row['approved_by']}" if row["approved"] else \
                    "NOT approved (hotfix content approve)"
                console.print(f"  {row['template']:<24} zone {row['zone']:<16} "
                              f"{row['digest'][:SHORT]} {state}: {slots}", markup=False)

        emit(as_json, {"version": version.version, "templates": rows}, show)


@content_app.command("approve")
def approve_cmd(template: Annotated[str, typer.Argument(help="The synced template.")],
                digest: Annotated[str | None, typer.Option(
                    "--digest", help="The template's digest as you reviewed it (hotfix "
                    "content templates; 12 digits or more). Default: the template and its "
                    "zone as this checkout's content/ has them.")] = None,
                as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Approve a synced template (an approver other than its author): the approval pins
    its content hash, so any later edit to it needs a new approval."""
    from hotfix.wiring import content_desk

    with context() as ctx:
        seen = digest or _checkout_digest(ctx.root, template)
        approval, created = content_desk(ctx).approve(template, seen, actor(ctx, as_))
        data = {**approval.to_dict(), "created": created}
        emit(as_json, data, lambda: console.print(
            f"template {template} {'approved' if created else 'already approved'} by "
            f"{approval.by} (digest {approval.digest[:12]}, on {approval.record})",
            markup=False))


@content_app.command("change")
def change_cmd(template: Annotated[str, typer.Argument(help="The approved template.")],
               set_: SetOpt = None, title: Annotated[str | None, typer.Option(
                   "--title", help="The record's title (default: template and zone).")] = None,
               file: FileOpt = None, as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Open a content change: the slots checked against the synced template (a content
    record, drafted; it is published once approved)."""
    from hotfix.wiring import content_desk

    values, files = _pairs(set_ or []), _files(file or [])
    with context() as ctx:
        rec = content_desk(ctx).change(template, values, actor(ctx, as_), title, files)
        _show(as_json, rec, "drafted")


@content_app.command("draft")
def draft_cmd(key: KeyArg, template: Annotated[str, typer.Option(
                  "--template", "-t", help="The approved template.")],
              set_: SetOpt = None, file: FileOpt = None, as_: ActorOpt = None,
              as_json: JsonOpt = False) -> None:
    """Draft a record triage routed to content (or redraft it): it needs a new approval."""
    from hotfix.wiring import content_desk

    values, files = _pairs(set_ or []), _files(file or [])
    with context() as ctx:
        _show(as_json, content_desk(ctx).draft(key, template, values, actor(ctx, as_), files),
              "drafted")


@content_app.command("publish")
def publish_cmd(key: KeyArg, as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Publish an approved content change now: its zone serves its values."""
    from hotfix.wiring import content_desk

    with context() as ctx:
        _show(as_json, content_desk(ctx).publish(key, actor(ctx, as_)), "published")


@content_app.command("schedule")
def schedule_cmd(key: KeyArg, start: Annotated[str | None, typer.Option(
                     "--start", help="When it goes live, e.g. 2026-12-18T09:00 (default: now).")
                 ] = None,
                 end: Annotated[str | None, typer.Option(
                     "--end", help="When it comes off again, e.g. 2026-12-24T00:00.")] = None,
                 tz: Annotated[str, typer.Option(
                     "--tz", help="The time zone --start and --end are in (IANA name).")
                 ] = "UTC",
                 as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Schedule an approved change: live from --start until --end (the server's jobs log
    each move; what was missed while it was down is applied at its start)."""
    from hotfix.wiring import content_desk

    with context() as ctx:
        _show(as_json, content_desk(ctx).schedule(key, actor(ctx, as_), start, end, tz),
              "scheduled")


@content_app.command("revert")
def revert_cmd(key: KeyArg, as_: ActorOpt = None, as_json: JsonOpt = False) -> None:
    """Revert a published change now: its zone serves what it showed before."""
    from hotfix.wiring import content_desk

    with context() as ctx:
        _show(as_json, content_desk(ctx).revert(key, actor(ctx, as_)), "reverted")


@content_app.command("show")
def show_cmd(zone: Annotated[str, typer.Argument(help="The zone, e.g. shipping.")],
             as_json: JsonOpt = False) -> None:
    """What a zone serves now (as GET /content/v1/zones/ZONE does)."""
    from hotfix.wiring import content_desk

    with context() as ctx:
        live = content_desk(ctx).zone(zone)
        body = live.body()

        def show() -> None:
            console.print(f"zone {zone}: " + (f"{live.key} ({live.template})" if live.key
                                              else "nothing published"))
            for name, value in live.values.items():
                console.print(f"  {name} = {value}", markup=False)

        emit(as_json, body, show)


@content_app.command("export")
def export_cmd(directory: Annotated[Path, typer.Argument(
        help="Where to write ZONE.json and ZONE.html for each zone.")],
        as_json: JsonOpt = False) -> None:
    """Write every zone's live content into DIR, for a static site (each file replaced
    whole, never half-written)."""
    from hotfix.services.content.export import export
    from hotfix.wiring import content_desk

    with context() as ctx:
        done = export(content_desk(ctx), directory)

        def show() -> None:
            console.print(f"exported {len(done.zones)} zone(s) of catalog version "
                          f"{done.catalog_version} into {done.directory}")
            for zone, key in done.zones.items():
                console.print(f"  {zone:<16} {key or 'nothing published'}")
            if done.stale:
                console.print("  left alone (no longer in the catalog): "
                              + ", ".join(f"{z}.json" for z in done.stale))

        emit(as_json, done.to_dict(), show)


def _checkout_digest(root: Path, name: str) -> str:
    """The digest of template ``name`` as ``root/content/`` has it: what the approver read."""
    from hotfix.domain.content.catalog import template_digest
    from hotfix.errors import NotFound, UsageError
    from hotfix.services.content.catalog import read_catalog

    try:
        return template_digest(read_catalog(root), name)
    except (NotFound, KeyError, TypeError):
        raise UsageError(f"content/templates/{name}.toml (with its zone in content/zones.toml) "
                         f"is not in {root}: say which version you reviewed",
                         hint=f"hotfix content approve {name} --digest DIGEST (hotfix "
                         "content templates shows it)") from None


def _pairs(given: list[str]) -> dict[str, Any]:
    from hotfix.errors import UsageError

    values: dict[str, Any] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {item!r} is not SLOT=VALUE",
                             hint="e.g. --set deadline=2026-12-20")
        values[name.strip()] = value
    return values


def _files(given: list[str]) -> dict[str, Upload]:
    """``--file SLOT=PATH`` as uploads: the bytes read here, checked by whoever decides."""
    from hotfix.domain.content.images import Upload
    from hotfix.errors import UsageError

    files: dict[str, Upload] = {}
    for item in given:
        name, sep, where = item.partition("=")
        if not sep or not name.strip() or not where.strip():
            raise UsageError(f"--file {item!r} is not SLOT=PATH",
                             hint="e.g. --file hero=banner.png --set hero=\"Winter sale\"")
        path = Path(where).expanduser()
        try:
            files[name.strip()] = Upload(path.name, None, path.read_bytes())
        except OSError as exc:
            raise UsageError(f"--file {name.strip()}: cannot read {path}: {exc.strerror}",
                             hint="the path of a PNG, JPEG, WebP or GIF file") from None
    return files


def _show(as_json: bool, rec: Hotfix, what: str) -> None:
    from hotfix.cli.render import print_record

    emit(as_json, {**rec.summary(), "draft": rec.last("draft")},
         lambda: print_record(rec, headline=what))
