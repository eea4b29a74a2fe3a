"""Importing a local record into a project (``hotfix server import``), for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotfix.domain.record.events import Event
from hotfix.errors import NotFound, UsageError
from hotfix.server.auth import Caller, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.schemas import EventOut
from hotfix.server.state import server_state
from hotfix.services.record.transfer import import_records

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["projects"],
                   dependencies=[Depends(project_path)], responses=PROJECT)


class RecordIn(BaseModel):
    events: list[EventOut] = Field(min_length=1, max_length=100_000)


class ImportIn(BaseModel):
    records: list[RecordIn] = Field(max_length=100_000)


class Imported(BaseModel):
    imported: list[str]


@router.post("/import", response_model=Imported, summary="Import whole records, numbers, "
             "events and hashes kept; refused if a number exists")
def import_into(request: Request, caller: Annotated[Caller, Depends(require("admin"))],
                body: ImportIn) -> Imported:
    state = server_state(request)
    records = state.records(caller.project)  # 404 for a project not served
    target = state.parts.imports.get(caller.project)
    if target is None:
        raise NotFound(f"project {caller.project} takes no imports", hint="see docs/server.md")
    given = {r.events[0].hotfix: [_event(e) for e in r.events] for r in body.records}
    numbers = import_records(target, given)
    return Imported(imported=[f"{records.settings.prefix}-{n}" for n in numbers])


def _event(e: EventOut) -> Event:
    try:
        at = datetime.fromisoformat(e.at)
    except ValueError:
        raise UsageError(f"event {e.hotfix}/{e.seq}: {e.at!r} is not an ISO 8601 time",
                         hint="export the record again") from None
    if at.tzinfo is None:
        raise UsageError(f"event {e.hotfix}/{e.seq}: its time has no zone",
                         hint="export the record again")
    return Event(hotfix=e.hotfix, seq=e.seq, at=at, actor=e.actor, kind=e.kind,
                 payload=e.payload, prev_hash=e.prev_hash, hash=e.hash)
