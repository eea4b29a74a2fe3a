"""Changing hotfixes: every action the CLI has, decided by the server's ``LocalRecords``.

Each mutating route takes an optional ``Idempotency-Key`` header: a retry with the same key
writes nothing more and returns the record as the first attempt left it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request

from hotfix.domain.identity.access import allows, content_approver_roles
from hotfix.domain.record.kinds import ALL_ACTIONS
from hotfix.domain.release.journal import NOTE
from hotfix.errors import Forbidden, GuardRefused
from hotfix.ports.identity import SecurityEvent
from hotfix.server.auth import Caller, HotfixKey, peer, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.schemas import ActionIn, HotfixWithEvents, NoteIn, OpenIn, TimeIn, TriageIn
from hotfix.server.state import server_state
from hotfix.services.content.catalog import ContentSettings
from hotfix.services.flags.catalog import PROPOSED
from hotfix.services.flags.changes import check_change
from hotfix.services.git.waivers import WAIVE_EVENT
from hotfix.services.record.document import check_fields
from hotfix.services.record.idempotent import REQUEST
from hotfix.services.record.records import LocalRecords

router = APIRouter(prefix="/api/v1/projects/{project}/hotfixes", tags=["actions"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Actor = Annotated[Caller, Depends(require("act"))]
Approver = Annotated[Caller, Depends(require("approve"))]
RequestKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
APPROVING = frozenset({"approve", "reject"})  # only through their own routes
# what the CLI's steps record through Records.act; open, triage, time, approve and reject
# have their own routes, and an override is written only by the record itself
GENERIC = sorted((ALL_ACTIONS | {"document", "backout", "backup", NOTE, WAIVE_EVENT, PROPOSED})
                 - APPROVING - {"triage", "open", "time", "override"})
ActionName = Annotated[str, Path(pattern=f"^({'|'.join(GENERIC)})$", examples=["document"],
                                 description="a lifecycle action or a step's record")]
RESERVED = frozenset({"override", REQUEST})  # payload keys only the record writes
# a content record's own steps: only through /content (permission content, api/content.py)
CONTENT_STEPS = frozenset({"draft", "schedule", "publish", "expire", "revert"})


def _records(request: Request, caller: Caller, key: HotfixKey | None) -> LocalRecords:
    return server_state(request).records(caller.project, key)


@router.post("", response_model=HotfixWithEvents, status_code=201, summary="Open a hotfix")
def open_hotfix(request: Request, caller: Actor, body: OpenIn,
                idempotency_key: RequestKey = None) -> HotfixWithEvents:
    records = _records(request, caller, idempotency_key)
    return HotfixWithEvents.full(records.open(body.title, caller.email, body.answers, body.kind))


@router.post("/{key}/triage", response_model=HotfixWithEvents, summary="(Re-)triage it")
def triage(request: Request, caller: Actor, key: HotfixKey, body: TriageIn,
           idempotency_key: RequestKey = None) -> HotfixWithEvents:
    records = _records(request, caller, idempotency_key)
    return HotfixWithEvents.full(records.triage(key, caller.email, body.answers))


@router.post("/{key}/time", response_model=HotfixWithEvents, summary="Log active work")
def log_time(request: Request, caller: Actor, key: HotfixKey, body: TimeIn,
             idempotency_key: RequestKey = None) -> HotfixWithEvents:
    records = _records(request, caller, idempotency_key)
    return HotfixWithEvents.full(records.log_time(key, caller.email, body.duration, body.note))


@router.post("/{key}/approve", response_model=HotfixWithEvents, summary="Approve it")
def approve(request: Request, caller: Approver, key: HotfixKey, body: NoteIn,
            idempotency_key: RequestKey = None) -> HotfixWithEvents:
    return _approving(request, caller, key, "approve", {"note": body.note}, idempotency_key)


@router.post("/{key}/reject", response_model=HotfixWithEvents, summary="Reject it")
def reject(request: Request, caller: Approver, key: HotfixKey, body: NoteIn,
           idempotency_key: RequestKey = None) -> HotfixWithEvents:
    return _approving(request, caller, key, "reject", {"note": body.note}, idempotency_key)


@router.post("/{key}/actions/{action}", response_model=HotfixWithEvents,
             summary="Any other lifecycle action (start, pick, check, release, close, …)")
def act(request: Request, caller: Actor, key: HotfixKey, action: ActionName, body: ActionIn,
        idempotency_key: RequestKey = None) -> HotfixWithEvents:
    if body.override is not None and not allows(caller.roles, "approve"):
        raise Forbidden(f"{caller.email} cannot override: only approvers can (the role "
                        "approver or admin)", hint="ask an approver to run it with --override")
    payload = {k: v for k, v in body.payload.items() if k not in RESERVED}
    check_change(action, payload)  # a flag's definition is checked before it is written
    if action == "document" and isinstance(payload.get("fields"), dict):
        check_fields(key, payload["fields"])  # never a field hotfix fills in itself
    records = _records(request, caller, idempotency_key)
    if action in CONTENT_STEPS and records.get(key).kind == "content":
        raise Forbidden(f"{action} of a content change goes through the content routes, "
                        "with the role marketer or admin", hint="POST /api/v1/projects/"
                        f"{caller.project}/content/changes/{key}/{action} (docs/content.md)")
    return HotfixWithEvents.full(records.act(key, action, caller.email, payload, body.override))


def _content_approvers(request: Request, caller: Caller) -> frozenset[str]:
    """The roles that may approve a content change in the caller's project: the server's
    ``content.approver_roles`` (never the client's), admin always."""
    return content_approver_roles(server_state(request).settings.content.get(
        caller.project, ContentSettings()).approver_roles)


def may_approve_content(request: Request, caller: Caller) -> bool:
    return bool(_content_approvers(request, caller) & set(caller.roles))


def content_approver(request: Request, caller: Caller, key: str) -> None:
    """A ``Forbidden`` unless ``caller`` holds a role that may approve a content change."""
    allowed = _content_approvers(request, caller)
    if allowed & set(caller.roles):
        return
    raise Forbidden(f"{caller.email} cannot approve content change {key}: on this server "
                    f"content changes are approved by the roles {', '.join(sorted(allowed))}",
                    hint="an admin lists more roles under [content] approver_roles in the "
                    'server\'s hotfix.toml (e.g. ["approver", "marketer"])')


def _approving(request: Request, caller: Caller, key: HotfixKey, action: str,
               payload: dict[str, Any], request_key: str | None,
               content: bool = False) -> HotfixWithEvents:
    """Approve or reject; a content change's approval (its own route when ``content``)
    only by the roles content.approver_roles names."""
    records = _records(request, caller, request_key)
    is_content = records.get(key).kind == "content"
    if content and not is_content:
        raise Forbidden(f"{key} is not a content change", hint="approve it on its own route: "
                        f"POST /api/v1/projects/{caller.project}/hotfixes/{key}/approve")
    if action == "approve" and is_content:
        content_approver(request, caller, key)
    try:
        return HotfixWithEvents.full(records.act(key, action, caller.email, payload))
    except GuardRefused as exc:
        if records.get(key).requester.strip().lower() == caller.email:
            state = server_state(request)
            state.parts.identities.record(SecurityEvent(
                state.parts.clock.now(), "requester_approval", caller.email, peer(request),
                f"{action} {key} refused: {exc.message}"))
        raise
