"""Reading hotfixes: the list (filters, pages), one record, its timeline (also live, as
server-sent events), its hash chain."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from hotfix.domain.record.states import State
from hotfix.errors import UsageError
from hotfix.server.auth import Caller, HotfixKey, project_path, require
from hotfix.server.live import changes
from hotfix.server.problems import PROJECT
from hotfix.server.schemas import (
    Chain,
    EventOut,
    Finding,
    HotfixOut,
    HotfixWithEvents,
    Integrity,
    Page,
)
from hotfix.server.state import server_state

router = APIRouter(prefix="/api/v1/projects/{project}/hotfixes", tags=["hotfixes"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
records_router = APIRouter(prefix="/api/v1/projects/{project}", tags=["hotfixes"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Reader = Annotated[Caller, Depends(require("read"))]
STATES = [s.value for s in State]


@router.get("", response_model=Page, summary="List hotfixes, newest first")
def list_hotfixes(
    request: Request, caller: Reader,
    state: Annotated[list[str] | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    requester: Annotated[str | None, Query(max_length=320)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    _known_states(state)
    records = server_state(request).records(caller.project).list(state or None)
    if kind:
        records = [r for r in records if r.kind == kind]
    if requester:
        records = [r for r in records if r.requester == requester.strip().lower()]
    records.reverse()
    chunk = records[(page - 1) * per_page: page * per_page]
    return Page(items=[HotfixOut.of(r) for r in chunk], total=len(records), page=page,
                per_page=per_page)


@records_router.get("/records", response_model=list[HotfixWithEvents],
                    summary="Every hotfix with its events, oldest first (the CLI's list)")
def all_records(request: Request, caller: Reader,
                state: Annotated[list[str] | None, Query(max_length=20)] = None,
                ) -> list[HotfixWithEvents]:
    _known_states(state)
    records = server_state(request).records(caller.project).list(state or None)
    return [HotfixWithEvents.full(r) for r in records]


def _known_states(states: list[str] | None) -> None:
    unknown = [s for s in states or [] if s not in STATES]
    if unknown:
        raise UsageError(f"unknown state {unknown[0]!r}", hint="states: " + ", ".join(STATES))


@router.get("/{key}", response_model=HotfixWithEvents, summary="One hotfix with its events")
def get_hotfix(request: Request, caller: Reader, key: HotfixKey) -> HotfixWithEvents:
    state = server_state(request)
    record = state.records(caller.project).get(key)
    found = state.parts.integrity(caller.project, [record], whole=False)
    return HotfixWithEvents.full(record).model_copy(
        update={"integrity": found.get(None, []) + found.get(record.number, [])})


@records_router.get("/integrity", response_model=Integrity,
                    summary="Check the server's signatures of every record (or of `record`)")
def integrity(request: Request, caller: Reader,
              record: Annotated[list[str] | None, Query(max_length=200)] = None) -> Integrity:
    state = server_state(request)
    records = state.records(caller.project)
    chosen = [records.get(k) for k in record] if record else records.list()
    found = state.parts.integrity(caller.project, chosen)
    log, signer = state.parts.witnesses.get(caller.project), state.parts.signer
    problems = [Finding(record=None if n is None else f"HF-{n}", problem=p)
                for n, ps in sorted(found.items(), key=lambda kv: kv[0] or 0) for p in ps]
    return Integrity(ok=not problems, problems=problems,
                     signed_records=log.witnessed().count if log is not None else 0,
                     key_id=signer.key_id if signer else None,
                     public_key=signer.public_key if signer else None)


@router.get("/{key}/timeline", response_model=list[EventOut], summary="Its events, in order")
def timeline(request: Request, caller: Reader, key: HotfixKey,
             after: Annotated[int, Query(ge=0, le=2**31)] = 0) -> list[EventOut]:
    record = server_state(request).records(caller.project).get(key)
    return [EventOut.of(e) for e in record.events if e.seq > after]


@router.get("/{key}/chain", response_model=Chain, summary="Verify its hash chain")
def chain(request: Request, caller: Reader, key: HotfixKey) -> Chain:
    records = server_state(request).records(caller.project)
    report = records.verify(key)
    seq, digest = records.log.head(records.get(key).number)
    return Chain(head_seq=seq, head_hash=digest, **report.to_dict())


@router.get("/{key}/timeline/stream", summary="Its events live (server-sent events)",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def stream(request: Request, caller: Reader, key: HotfixKey,
                 after: Annotated[int, Query(ge=0, le=2**31)] = 0) -> StreamingResponse:
    records = server_state(request).records(caller.project)
    number = (await run_in_threadpool(records.get, key)).number  # 404 before the stream
    last = request.headers.get("last-event-id", "")
    start = int(last) if last.isdigit() else after

    async def events() -> AsyncIterator[str]:
        seen = start
        yield "retry: 2000\n\n"
        async for _ in changes(request, caller.project, number):
            record = await run_in_threadpool(records.get, key)
            for event in record.events:
                if event.seq > seen:
                    seen = event.seq
                    data = json.dumps(EventOut.of(event).model_dump(), ensure_ascii=False)
                    yield f"id: {event.seq}\nevent: hotfix-event\ndata: {data}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})
