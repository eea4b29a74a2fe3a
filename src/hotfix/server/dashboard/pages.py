"""The dashboard's pages: server-rendered HTML (Jinja2), htmx only to keep them live.

Every page is whole without JavaScript: lists, the hotfix page, sign-in and the
approve/reject forms are plain HTML forms. With JavaScript, htmx's server-sent-events
extension appends new timeline rows and updates the state as they happen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from hotfix.domain.identity.access import allows
from hotfix.domain.record.lifecycle import Hotfix, plan
from hotfix.domain.record.states import State
from hotfix.domain.record.timing import time_report
from hotfix.errors import GuardRefused, HotfixError
from hotfix.ports.identity import SecurityEvent
from hotfix.reports.chart import canary_svg, describe
from hotfix.reports.document import build
from hotfix.server.auth import Caller, identity_of_token, peer
from hotfix.server.dashboard.render import render, timeline_row
from hotfix.server.dashboard.session import (
    COOKIE,
    PREFIX,
    csrf_token,
    page,
    require_csrf,
    session_secret,
)
from hotfix.server.live import changes
from hotfix.server.state import server_state

router = APIRouter(prefix=PREFIX, include_in_schema=False)
Reader = Annotated[Caller, Depends(page("read"))]
Approver = Annotated[Caller, Depends(page("approve"))]
STATES = [s.value for s in State]


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "", error: str = "") -> HTMLResponse:
    return render(request, "login.html", next=_local(next), error=error[:300],
                  status_code=401 if error else 200)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=200)],
          next: Annotated[str, Form(max_length=500)] = "") -> Response:
    state = server_state(request)
    try:
        identity_of_token(state, request, token.strip())
    except HotfixError as exc:
        return render(request, "login.html", next=_local(next), error=exc.message,
                      status_code=401)
    response = RedirectResponse(_local(next) or f"{PREFIX}/", status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path=PREFIX,
                        max_age=12 * 3600)
    return response


@router.post("/logout")
def logout(request: Request, caller: Reader,
           csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    require_csrf(request, csrf)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.get("/")
def home(request: Request, caller: Reader) -> Response:
    projects = sorted(server_state(request).settings.projects)
    mine = [p for p in projects if caller.identity.roles(p)]
    if len(mine) == 1:
        return RedirectResponse(f"{PREFIX}/p/{mine[0]}/hotfixes", status_code=303)
    return render(request, "projects.html", caller=caller, projects=mine)


@router.get("/p/{project}/hotfixes", response_class=HTMLResponse)
def hotfix_list(request: Request, caller: Reader, project: str,
                state: Annotated[str, Query(max_length=32)] = "") -> HTMLResponse:
    records = server_state(request).records(project).list([state] if state in STATES else None)
    now = server_state(request).parts.clock.now()
    rows = [{"rec": r, "age": _age(now, r.opened_at)} for r in reversed(records)]
    return render(request, "list.html", caller=caller, project=project, rows=rows,
                  state=state if state in STATES else "", states=STATES)


@router.get("/p/{project}/flags", response_class=HTMLResponse)
def flags_page(request: Request, caller: Reader, project: str) -> HTMLResponse:
    """Every flag: what it serves (variants, rules, split, kill switch), its history, and the
    evidence of its rollout by the judge."""
    from hotfix.server.dashboard.flag_evidence import flag_rollout
    from hotfix.services.flags.changes import flags

    records = server_state(request).records(project)
    found = [f.to_dict() for f in flags(records).values()]
    for flag in found:
        flag["rollout"] = flag_rollout(records.get(flag["record"])) if flag["record"] else None
    return render(request, "flags.html", caller=caller, project=project, flags=found)


@router.get("/p/{project}/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, caller: Reader, project: str) -> HTMLResponse:
    """The project's outbox: what waits for delivery, how much was delivered, dead letters."""
    from hotfix.services.notify.outbox import outbox_status_of

    state = server_state(request)
    state.records(project)  # a project not served is 404
    telling = state.parts.notify.get(project)
    status = outbox_status_of(telling.adapters.outbox) if telling is not None else None
    quiet = telling is None or (telling.writer is None and status is not None
                                and not (status.pending or status.dead or status.delivered))
    return render(request, "notifications.html", caller=caller, project=project,
                  status=None if quiet or status is None else status.to_dict())


@router.get("/p/{project}/metrics", response_class=HTMLResponse)
def metrics_page(request: Request, caller: Reader, project: str) -> HTMLResponse:
    """The newest delivery metrics the team's CI published, charted."""
    from hotfix.domain.record.timing import format_duration
    from hotfix.reports.bars import bars
    from hotfix.server.api.metrics import newest

    found = newest(request, project)  # a project not served is 404
    charts: list[tuple[str, str]] = []
    if found is not None:
        hours = format_duration
        charts = [
            ("Logged work on hotfixes per sprint", bars(
                "Logged work per sprint", [(s.sprint, s.logged_seconds) for s in found.sprints],
                hours)),
            ("Wall time of open hotfixes per sprint", bars(
                "Wall time per sprint", [(s.sprint, s.wall_seconds) for s in found.sprints],
                hours)),
            ("Logged work per person", bars(
                "Logged work per person", sorted(found.logged_by_person.items()), hours)),
            *((f"Hotfixes opened, {by.removeprefix('by_')}", bars(
                f"Hotfixes by {by.removeprefix('by_')}",
                sorted((k, float(v)) for k, v in n.items())))
              for by, n in sorted(found.hotfixes.items()))]
    return render(request, "metrics.html", caller=caller, project=project, metrics=found,
                  charts=charts, shown=_figure_text)


def _figure_text(value: float | None, unit: str) -> str:
    from hotfix.domain.record.timing import format_duration

    if value is None:
        return "no data"
    if unit == "seconds":
        return format_duration(value)
    if unit == "share":
        return f"{100 * value:.0f}%"
    return f"{value:g} {unit}"


@router.get("/p/{project}/audit", response_class=HTMLResponse)
def audit_page(request: Request, caller: Reader, project: str) -> HTMLResponse:
    """The newest audit the team's CI published: what is missing from the mainline."""
    from hotfix.server.api.audit import newest

    return render(request, "audit.html", caller=caller, project=project,
                  audit=newest(request, project))


@router.get("/p/{project}/hotfixes/{key}", response_class=HTMLResponse)
def hotfix_page(request: Request, caller: Reader, project: str, key: str,
                done: str = "") -> HTMLResponse:
    return render(request, "hotfix.html", **_hotfix_view(request, caller, key),
                  done=done[:200])


@router.get("/p/{project}/hotfixes/{key}/live", response_class=StreamingResponse)
async def live(request: Request, caller: Reader, project: str, key: str,
               after: Annotated[int, Query(ge=0, le=2**31)] = 0) -> StreamingResponse:
    """New timeline rows and the state, as server-sent events of HTML fragments."""
    records = server_state(request).records(project)
    number = (await run_in_threadpool(records.get, key)).number

    async def events() -> AsyncIterator[str]:
        seen = after
        yield "retry: 2000\n\n"
        async for _ in changes(request, project, number):
            rec = await run_in_threadpool(records.get, key)
            fresh = [e for e in rec.events if e.seq > seen and e.kind != "git"]
            seen = max([seen, *(e.seq for e in rec.events)])
            if fresh:
                rows = "".join(timeline_row(e) for e in fresh)
                yield f"event: timeline\ndata: {_one_line(rows)}\n\n"
                yield f"event: state\ndata: {_one_line(_state_badge(rec))}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.post("/p/{project}/hotfixes/{key}/approve")
def approve(request: Request, caller: Approver, project: str, key: str,
            csrf: Annotated[str, Form(max_length=100)] = "",
            note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    return _decide(request, caller, key, "approve", csrf, note)


@router.post("/p/{project}/hotfixes/{key}/reject")
def reject(request: Request, caller: Approver, project: str, key: str,
           csrf: Annotated[str, Form(max_length=100)] = "",
           note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    return _decide(request, caller, key, "reject", csrf, note)


def _decide(request: Request, caller: Caller, key: str, action: str, csrf: str,
            note: str) -> Response:
    require_csrf(request, csrf)
    state = server_state(request)
    records = state.records(caller.project)
    try:
        rec = records.act(key, action, caller.email, {"note": note})
    except GuardRefused as exc:
        if records.get(key).requester.strip().lower() == caller.email:
            state.parts.identities.record(SecurityEvent(
                state.parts.clock.now(), "requester_approval", caller.email, peer(request),
                f"{action} {key} refused (dashboard): {exc.message}"))
        return render(request, "hotfix.html", **_hotfix_view(request, caller, key),
                      error=exc.message, hint=exc.hint or "", done="", status_code=409)
    done = "approved" if action == "approve" else "rejected"
    return RedirectResponse(f"{PREFIX}/p/{caller.project}/hotfixes/{rec.key}?done={done}",
                            status_code=303)


def _hotfix_view(request: Request, caller: Caller, key: str) -> dict[str, Any]:
    state = server_state(request)
    records = state.records(caller.project)
    rec = records.get(key)
    now = state.parts.clock.now()
    signed = state.parts.integrity(caller.project, [rec], whole=False)
    problems = _chain(records, rec) + signed.get(rec.number, []) + signed.get(None, [])
    report = build(rec, time_report(rec, now), now, problems)
    chart = canary_svg(report.rollout, chart_id=f"canary-{rec.key}") if report.rollout else ""
    return {"caller": caller, "project": caller.project, "rec": rec, "r": report,
            "chart": chart, "chart_text": describe(report.rollout) if report.rollout else "",
            "can_decide": _can_decide(caller, rec, records.settings.approvers_of(rec)),
            "is_requester": rec.requester.strip().lower() == caller.email,
            "last_seq": rec.events[-1].seq if rec.events else 0,
            "state_badge": _state_badge(rec), "timeline_row": timeline_row}


def _can_decide(caller: Caller, rec: Hotfix, approvers: tuple[str, ...]) -> bool:
    """Show Approve/Reject: the caller may approve, is not the requester, and the
    lifecycle would take it now."""
    if not allows(caller.roles, "approve") or rec.requester.strip().lower() == caller.email:
        return False
    return plan(rec, "approve", caller.email, {"note": ""}, approvers) is None


def _chain(records: Any, rec: Hotfix) -> list[str]:
    report = records.verify(rec.key)
    return [] if report.ok else [f"{rec.key}: {report.problem}"]


def _state_badge(rec: Hotfix) -> str:
    from markupsafe import escape

    return (f'<span id="state" class="state state-{escape(rec.state.value)}">'
            f'{escape(rec.state.value)}</span>')


def _local(path: str) -> str:
    """``path`` if it is a dashboard path on this server, else '' (no open redirect)."""
    return path if path.startswith(f"{PREFIX}/") and "//" not in path and "\\" not in path \
        else ""


def _age(now: datetime, then: datetime) -> str:
    seconds = max((now - then).total_seconds(), 0)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _one_line(html: str) -> str:
    return " ".join(html.splitlines())


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{PREFIX}/login?next={quote(target)}", status_code=303)


def csrf_for(request: Request) -> str:
    return csrf_token(session_secret(request))

