"""The marketer's Content pages: what each zone shows and its history of publishes (each
standing one a one-click revert), the approved templates, a form per template with one
field per typed slot, a live preview of the zone's fragment (htmx) and each error beside its
field; submitting drafts a ``content`` record, which is approved as its kind asks and then
published here. The templates waiting for approval are listed too, with an Approve button
for an approver who is not among their authors. An image slot takes a file too (the form is
multipart; the file is checked by its bytes, shown in the preview inline and kept only when
the record is drafted); money is a number and a currency, an enum a select of its choices.
Every form carries the session's CSRF token."""

from __future__ import annotations

import base64
import re
import secrets
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import UploadFile

from hotfix.domain.content.approval import SHORT, authors_of
from hotfix.domain.content.catalog import Catalog, Template
from hotfix.domain.content.images import MEDIA_TYPES, Upload
from hotfix.domain.content.live import history, nothing, schedule_of
from hotfix.domain.content.money import MINOR_UNITS
from hotfix.domain.content.preview import as_input, checked_fields, fragment
from hotfix.domain.content.slots import Slot
from hotfix.domain.identity.access import allows, normalise_email
from hotfix.domain.record.lifecycle import plan as lifecycle_plan
from hotfix.domain.record.states import State
from hotfix.errors import NotFound, ZoneChanged
from hotfix.ports.content import CatalogVersion
from hotfix.server.api.actions import content_approver, may_approve_content
from hotfix.server.api.content import ZoneName, desk
from hotfix.server.auth import Caller
from hotfix.server.dashboard.render import render
from hotfix.server.dashboard.session import PREFIX, page, require_csrf
from hotfix.services.content.changes import ContentDesk, window

router = APIRouter(prefix=f"{PREFIX}/p/{{project}}/content", include_in_schema=False)
Reader = Annotated[Caller, Depends(page("read"))]
Marketer = Annotated[Caller, Depends(page("content"))]
Approver = Annotated[Caller, Depends(page("approve"))]
Csrf = Annotated[str, Form(max_length=100)]
# the form field each slot type takes; a slot type not listed gets a text input
INPUTS = {"text": "text", "rich_text": "textarea", "image": "image", "integer": "number",
          "date": "date", "link": "url", "money": "money", "enum": "select"}
HELP = {"rich_text": "HTML with only these tags: {tags}",
        "image": "https URL|alt text, the URL on {hosts}; or choose a file (PNG, JPEG, WebP or "
                 "GIF, at most {max_bytes} bytes and {max_width}×{max_height} pixels) and type "
                 "its alt text here", "link": "an https URL on {hosts}",
        "integer": "a whole number, {minimum} to {maximum}",
        "money": "an amount in {currencies}, {amount_min} to {amount_max}",
        "enum": "one of the choices", "date": "the day, today or later"}
ONCE = re.compile(r"[0-9a-f]{32}")  # the form's own request key: a double submit drafts once
IN_FLIGHT = {State.CONTENT.value, State.DRAFTED.value, State.APPROVED.value,
             State.SCHEDULED.value}
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York",
         "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney")


@router.get("", response_class=HTMLResponse)
def content_page(request: Request, caller: Reader, project: str,
                 done: str = "") -> HTMLResponse:
    d = desk(request, project)
    try:
        version, catalog = d.catalog()
    except NotFound as exc:
        return render(request, "content.html", caller=caller, project=project,
                      catalog_version=None, templates=[], zones=[], changes=[], done="",
                      can_change=False, waiting=[], missing=f"{exc.message}. {exc.hint}")
    derived = d.derived()  # every zone's view comes from it (cached: services.content.zones)
    records, now = derived.content, d.clock.now()
    zones = []
    for name, zone in sorted(catalog.zones.items()):
        live = derived.zones.get(name) or nothing(name)
        zones.append({"name": name, "paths": zone.paths, "live": live,
                      "fragment": Markup(live.fragment),
                      "history": list(reversed(history(records, name, now)))})
    changes = [r for r in reversed(records) if r.kind == "content"
               and r.state.value in IN_FLIGHT and (r.last("draft") or {}).get("zone")]
    return render(request, "content.html", caller=caller, project=project,
                  catalog_version=version,
                  templates=[t for _, t in sorted(catalog.templates.items()) if t.approved],
                  zones=zones, changes=changes, done=done[:200], missing="",
                  can_change=allows(caller.roles, "content"),
                  waiting=_waiting(d.catalogs.versions(), catalog, caller))


def _waiting(versions: list[CatalogVersion], catalog: Catalog,
             caller: Caller) -> list[dict[str, object]]:
    """The templates not approved as they are now: who wrote them, their digest, and
    whether ``caller`` may approve them here (an approver not among their authors)."""
    approver = allows(caller.roles, "approve")
    waiting: list[dict[str, object]] = []
    for _, t in sorted(catalog.templates.items()):
        if t.approved:
            continue
        authors = authors_of(t, ((v.body, v.actor) for v in versions))
        waiting.append({"template": t, "authors": authors, "short": t.digest[:SHORT],
                        "can_approve": approver and normalise_email(caller.email)
                        not in authors})
    return waiting


@router.get("/templates/{name}", response_class=HTMLResponse)
def template_form(request: Request, caller: Marketer, project: str,
                  name: ZoneName) -> HTMLResponse:
    d = desk(request, project)
    template = _template(d.catalog()[1], name)
    live = d.zone(template.zone)
    given = {k: as_input(v) for k, v in live.values.items()} \
        if live.template == template.name else {}
    shown = fragment(template, _checked(d, template, given, {})[0])
    return _form(request, caller, template, given, {}, shown)


@router.post("/templates/{name}/preview", response_class=HTMLResponse)
async def preview(request: Request, caller: Marketer, project: str,
                  name: ZoneName) -> HTMLResponse:
    """The fragment the zone would show with the form's values, and each field's error:
    for htmx the fragment with the errors swapped out of band, else the whole form."""
    d = desk(request, project)
    template = _template(d.catalog()[1], name)
    given, files = await _given(request, template)
    values, errors = _checked(d, template, given, files)
    shown = fragment(template, _inline(values, files))
    if request.headers.get("HX-Request") != "true":
        return _form(request, caller, template, given, errors, shown)
    return render(request, "content_preview.html", caller=caller, project=project,
                  template=template, fragment=Markup(shown), errors=errors)


@router.post("/templates/{name}")
async def submit(request: Request, caller: Marketer, project: str,
                 name: ZoneName) -> Response:
    """Draft a content record with the form's values; with any error, the form again with
    what was typed and each error beside its field."""
    form = await request.form()
    once = str(form.get("request", ""))
    d = desk(request, project, f"dashboard-content:{once}" if ONCE.fullmatch(once) else None)
    template = _template(d.catalog()[1], name)
    given, files = await _given(request, template)
    values, errors = _checked(d, template, given, files)
    if errors:
        return _form(request, caller, template, given, errors,
                     fragment(template, _inline(values, files)), status_code=422,
                     error="nothing was drafted: fix the fields marked", once=once)
    title = str(form.get("title", ""))[:300].strip() or None
    typed = {k: v for k, v in given.items() if v.strip()}  # checked again as it is drafted
    rec = d.change(template.name, typed, caller.email, title, files)  # a resubmit: the same
    return _back(project, f"{rec.key} drafted ({rec.state.value}): an approver approves "
                 "it, then you publish it")


@router.post("/templates/{name}/approve")
def approve_template(request: Request, caller: Approver, project: str, name: ZoneName,
                     csrf: Csrf = "", digest: Annotated[str, Form(max_length=64)] = "") -> Response:
    """Approve a template as the page showed it (its digest): refused for its author, and
    when it was synced again since the page was read."""
    require_csrf(request, csrf)
    approval, created = desk(request, project).approve(name, digest, caller.email)
    return _back(project, f"template {name} {'approved' if created else 'already approved'} "
                 f"by {approval.by} (digest {approval.digest[:SHORT]}, on {approval.record})")


@router.get("/changes/{key}", response_class=HTMLResponse)
def change_page(request: Request, caller: Reader, project: str, key: str) -> HTMLResponse:
    """One content change: its values as the zone would show them, what the zone shows now,
    and for a marketer once it is approved: publish now, or the schedule form."""
    return _change(request, caller, project, key)


@router.post("/changes/{key}/approve")
def approve_change(request: Request, caller: Marketer, project: str, key: str,
                   csrf: Csrf = "") -> Response:
    """A marketer's approval of someone else's content change, when content.approver_roles
    lists marketers (approvers approve on the record's page)."""
    require_csrf(request, csrf)
    content_approver(request, caller, key)
    rec = desk(request, project).approve_change(key, caller.email)
    return _back(project, f"{rec.key} approved by {caller.email} ({rec.state.value})")


@router.post("/changes/{key}/publish")
def publish(request: Request, caller: Marketer, project: str, key: str,
            csrf: Csrf = "", over: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Publish now; when the zone changed since the draft, the change's page again with who
    moved it and a button to publish over that one."""
    require_csrf(request, csrf)
    try:
        rec = desk(request, project).publish(key, caller.email, over or None)
    except ZoneChanged as exc:
        return _change(request, caller, project, key, status_code=409, refused=exc)
    return _back(project, f"{rec.key} published")


@router.post("/changes/{key}/schedule")
def schedule(request: Request, caller: Marketer, project: str, key: str, csrf: Csrf = "",
             start: Annotated[str, Form(max_length=40)] = "",
             end: Annotated[str, Form(max_length=40)] = "",
             tz: Annotated[str, Form(max_length=64)] = "UTC") -> Response:
    """The schedule form: the same checks as ``hotfix content schedule`` (each error beside
    its field, nothing recorded), then the same service call."""
    require_csrf(request, csrf)
    d = desk(request, project)
    given = {"start": start.strip(), "end": end.strip(), "tz": tz.strip() or "UTC"}
    *_, problems = window(given["start"] or None, given["end"] or None, given["tz"],
                          d.clock.now(), key)
    if problems:
        return _change(request, caller, project, key, status_code=422, given=given,
                       errors={k: e.message for k, e in problems.items()})
    try:
        rec = d.schedule(key, caller.email, given["start"] or None, given["end"] or None,
                         given["tz"])
    except ZoneChanged as exc:
        return _change(request, caller, project, key, status_code=409, refused=exc,
                       given=given)
    plan = rec.last("schedule") or {}
    until = f" until {plan['end'][:16]} UTC" if plan.get("end") else ""
    return _back(project, f"{rec.key} scheduled: live from {str(plan.get('start'))[:16]} "
                 f"UTC{until}")


def _change(request: Request, caller: Caller, project: str, key: str,
            status_code: int = 200, refused: ZoneChanged | None = None,
            given: dict[str, str] | None = None,
            errors: dict[str, str] | None = None) -> HTMLResponse:
    d = desk(request, project)
    catalog = d.catalog()[1]
    records = d.records_for(catalog)
    record = records.get(key)
    draft = record.last("draft") if record.kind == "content" else None
    if not draft or not draft.get("zone"):
        raise NotFound(f"{record.key} is not a content change made through a template",
                       hint="its page: the Hotfixes list")
    template = catalog.templates.get(str(draft.get("template")))
    live = d.zone(str(draft["zone"]))
    plan = schedule_of(record)
    return render(request, "content_change.html", status_code=status_code, caller=caller,
                  project=project, record=record, draft=draft, live=live,
                  fragment=Markup(fragment(template, draft.get("values", {})))
                  if template else "", live_fragment=Markup(live.fragment), plan=plan,
                  can_change=allows(caller.roles, "content"),
                  can_approve=allows(caller.roles, "content")
                  and may_approve_content(request, caller)
                  and lifecycle_plan(record, "approve", caller.email, {},
                                         records.settings.approvers_of(record)) is None,
                  given=given or {"start": "", "end": "", "tz": plan.tz if plan else "UTC"},
                  errors=errors or {}, refused=refused, zones=ZONES,
                  over=(live.key or "none") if refused else "")  # what publishing over replaces


@router.post("/changes/{key}/revert")
def revert(request: Request, caller: Marketer, project: str, key: str,
           csrf: Csrf = "") -> Response:
    require_csrf(request, csrf)
    rec = desk(request, project).revert(key, caller.email)
    return _back(project, f"{rec.key} reverted")


@router.post("/zones/{zone}/back/{key}")
def back_to(request: Request, caller: Marketer, project: str, zone: ZoneName, key: str,
            csrf: Csrf = "") -> Response:
    """One click back to an earlier version: every publish standing above it is reverted."""
    require_csrf(request, csrf)
    undone = desk(request, project).revert_to(zone, key, caller.email)
    keys = ", ".join(r.key for r in undone) or "nothing"
    return _back(project, f"zone {zone} shows {key} again (reverted {keys})")


def _template(catalog: Catalog, name: str) -> Template:
    template = catalog.templates.get(name)
    if template is None or not template.approved:
        raise NotFound(f"there is no approved content template {name!r}",
                       hint="pick one on the Content page, or ask engineering for a template")
    return template


async def _given(request: Request, template: Template
                 ) -> tuple[dict[str, str], dict[str, Upload]]:
    """The form's text for each slot (money's amount and currency as one ``12.50 EUR``) and
    the files chosen for image slots."""
    form = await request.form()
    require_csrf(request, str(form.get("csrf", "")))
    given: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for s in template.slots:
        given[s.name] = str(form.get(f"slot-{s.name}", ""))[:20_000]
        code = str(form.get(f"slot-{s.name}-currency", ""))[:3]
        if s.type == "money" and given[s.name].strip() and code:
            given[s.name] = f"{given[s.name].strip()} {code}"
        chosen = form.get(f"file-{s.name}")
        if s.type == "image" and isinstance(chosen, UploadFile) and chosen.filename:
            files[s.name] = Upload(chosen.filename, chosen.content_type, await chosen.read())
    for _, sent in form.multi_items():  # every file the form carried, read or not
        if isinstance(sent, UploadFile):
            await sent.close()
    return given, files


def _checked(d: ContentDesk, template: Template, given: dict[str, str],
             files: dict[str, Upload]) -> tuple[dict[str, object], dict[str, str]]:
    return checked_fields(template, given, d.clock.now().date(),
                          d.kept_images(template, given), files)


def _inline(values: dict[str, object], files: dict[str, Upload]) -> dict[str, object]:
    """``values`` for the preview only: a file not kept yet shown inline (a data: URL of
    the bytes checked as an image), never stored so."""
    out = dict(values)
    for slot, upload in files.items():
        shown = out.get(slot)
        if isinstance(shown, dict):  # it passed: its URL ends in its real type's extension
            media = MEDIA_TYPES[str(shown["url"]).rpartition(".")[2]]
            data = base64.b64encode(upload.data).decode("ascii")
            out[slot] = {**shown, "url": f"data:{media};base64,{data}"}
    return out


def _money_field(s: Slot, value: str) -> dict[str, str]:
    """A money slot's number field: the amount, the currency, the step of its minor units."""
    words = value.split()
    code = next((w.upper() for w in words if w.isalpha()), s.currencies[0])
    units = max(MINOR_UNITS[c] for c in s.currencies)
    return {"amount": next((w for w in words if not w.isalpha()), ""), "currency": code,
            "step": f"{Decimal(1).scaleb(-units):f}"}


def _form(request: Request, caller: Caller, template: Template, given: dict[str, str],
          errors: dict[str, str], shown: str, status_code: int = 200,
          error: str = "", once: str = "") -> HTMLResponse:
    fields = [{"slot": s, "input": INPUTS.get(s.type, "text"), "value": given.get(s.name, ""),
               "error": errors.get(s.name, ""),
               **(_money_field(s, given.get(s.name, "")) if s.type == "money" else {}),
               "help": HELP.get(s.type, "").format(
                   tags=" ".join(sorted(s.tags)), hosts=", ".join(s.hosts) or "no host",
                   minimum=s.minimum, maximum=s.maximum, currencies=", ".join(s.currencies),
                   amount_min=s.amount_min, amount_max=s.amount_max, max_bytes=s.max_bytes,
                   max_width=s.max_width, max_height=s.max_height)}
              for s in template.slots]
    return render(request, "content_form.html", status_code=status_code, caller=caller,
                  project=caller.project, template=template, fields=fields,
                  fragment=Markup(shown), error=error,
                  once=once if ONCE.fullmatch(once) else secrets.token_hex(16))


def _back(project: str, done: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"{PREFIX}/p/{project}/content?done={quote(done)}",
                            status_code=303)
