"""The marketer's Content pages: what each zone shows and its history of publishes (each
standing one a one-click revert), the approved templates, a form per template with one
field per typed slot, a live preview of the zone's fragment (htmx) and each error beside its
field; submitting drafts a ``content`` record, which is approved as its kind asks and then
published here. Every form carries the session's CSRF token."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from hotfix.domain.content.catalog import Catalog, Template
from hotfix.domain.content.live import history, nothing, schedule_of
from hotfix.domain.content.preview import as_input, checked_fields, fragment
from hotfix.domain.identity.access import allows
from hotfix.domain.record.states import State
from hotfix.errors import NotFound, ZoneChanged
from hotfix.server.api.content import ZoneName, desk
from hotfix.server.auth import Caller
from hotfix.server.dashboard.render import render
from hotfix.server.dashboard.session import PREFIX, page, require_csrf
from hotfix.services.content.changes import window

router = APIRouter(prefix=f"{PREFIX}/p/{{project}}/content", include_in_schema=False)
Reader = Annotated[Caller, Depends(page("read"))]
Marketer = Annotated[Caller, Depends(page("content"))]
Csrf = Annotated[str, Form(max_length=100)]
# the form field each slot type takes; a slot type not listed gets a text input
INPUTS = {"text": "text", "rich_text": "textarea", "image": "text", "integer": "number",
          "date": "date", "link": "url"}
HELP = {"rich_text": "HTML with only these tags: {tags}",
        "image": "https URL|alt text, the URL on {hosts}", "link": "an https URL on {hosts}",
        "integer": "a whole number, {minimum} to {maximum}",
        "date": "the day, today or later"}
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
        return render(request, "content.html", caller=caller, project=project, version=None,
                      templates=[], zones=[], changes=[], done="", can_change=False,
                      missing=f"{exc.message}. {exc.hint}")
    derived = d.derived()  # every zone's view comes from it (cached: services.content.zones)
    records, now = derived.content, d.clock.now()
    zones = []
    for name, zone in sorted(catalog.zones.items()):
        live = derived.zones.get(name) or nothing(name)
        zones.append({"name": name, "paths": zone.paths, "live": live,
                      "fragment": Markup(live.fragment),
                      "history": list(reversed(history(records, name, now)))})
    changes = [r for r in reversed(records)
               if r.state.value in IN_FLIGHT and (r.last("draft") or {}).get("zone")]
    return render(request, "content.html", caller=caller, project=project, version=version,
                  templates=[t for _, t in sorted(catalog.templates.items()) if t.approved],
                  zones=zones, changes=changes, done=done[:200], missing="",
                  can_change=allows(caller.roles, "content"))


@router.get("/templates/{name}", response_class=HTMLResponse)
def template_form(request: Request, caller: Marketer, project: str,
                  name: ZoneName) -> HTMLResponse:
    d = desk(request, project)
    template = _template(d.catalog()[1], name)
    live = d.zone(template.zone)
    given = {k: as_input(v) for k, v in live.values.items()} \
        if live.template == template.name else {}
    shown = fragment(template, checked_fields(template, given, d.clock.now().date())[0])
    return _form(request, caller, template, given, {}, shown)


@router.post("/templates/{name}/preview", response_class=HTMLResponse)
async def preview(request: Request, caller: Marketer, project: str,
                  name: ZoneName) -> HTMLResponse:
    """The fragment the zone would show with the form's values, and each field's error:
    for htmx the fragment with the errors swapped out of band, else the whole form."""
    d = desk(request, project)
    template = _template(d.catalog()[1], name)
    given = await _given(request, template)
    values, errors = checked_fields(template, given, d.clock.now().date())
    if request.headers.get("HX-Request") != "true":
        return _form(request, caller, template, given, errors, fragment(template, values))
    return render(request, "content_preview.html", caller=caller, project=project,
                  template=template, fragment=Markup(fragment(template, values)),
                  errors=errors)


@router.post("/templates/{name}")
async def submit(request: Request, caller: Marketer, project: str,
                 name: ZoneName) -> Response:
    """Draft a content record with the form's values; with any error, the form again with
    what was typed and each error beside its field."""
    form = await request.form()
    once = str(form.get("request", ""))
    d = desk(request, project, f"dashboard-content:{once}" if ONCE.fullmatch(once) else None)
    template = _template(d.catalog()[1], name)
    given = await _given(request, template)
    values, errors = checked_fields(template, given, d.clock.now().date())
    if errors:
        return _form(request, caller, template, given, errors, fragment(template, values),
                     status_code=422, error="nothing was drafted: fix the fields marked",
                     once=once)
    title = str(form.get("title", ""))[:300].strip() or None
    rec = d.change(template.name, values, caller.email, title)  # a resubmit: the same one
    return _back(project, f"{rec.key} drafted ({rec.state.value}): an approver approves "
                 "it, then you publish it")


@router.get("/changes/{key}", response_class=HTMLResponse)
def change_page(request: Request, caller: Reader, project: str, key: str) -> HTMLResponse:
    """One content change: its values as the zone would show them, what the zone shows now,
    and for a marketer once it is approved: publish now, or the schedule form."""
    return _change(request, caller, project, key)


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
    record = d.records_for(catalog).get(key)
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


async def _given(request: Request, template: Template) -> dict[str, str]:
    form = await request.form()
    require_csrf(request, str(form.get("csrf", "")))
    return {s.name: str(form.get(f"slot-{s.name}", ""))[:20_000] for s in template.slots}


def _form(request: Request, caller: Caller, template: Template, given: dict[str, str],
          errors: dict[str, str], shown: str, status_code: int = 200,
          error: str = "", once: str = "") -> HTMLResponse:
    fields = [{"slot": s, "input": INPUTS.get(s.type, "text"), "value": given.get(s.name, ""),
               "error": errors.get(s.name, ""),
               "help": HELP.get(s.type, "").format(tags=" ".join(sorted(s.tags)),
                                                   hosts=", ".join(s.hosts) or "no host",
                                                   minimum=s.minimum, maximum=s.maximum)}
              for s in template.slots]
    return render(request, "content_form.html", status_code=status_code, caller=caller,
                  project=caller.project, template=template, fields=fields,
                  fragment=Markup(shown), error=error,
                  once=once if ONCE.fullmatch(once) else secrets.token_hex(16))


def _back(project: str, done: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"{PREFIX}/p/{project}/content?done={quote(done)}",
                            status_code=303)
