"""A project's outbox on the team server: what ``hotfix notify status|retry|run`` read and do
when signed in. The server holds the channels' secrets and delivers with its own settings
(its background job does so every ``jobs.deliver_every`` seconds); these routes show the
outbox, put dead letters back, and deliver what is due now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotfix.server.auth import Caller, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.state import server_state
from hotfix.services.jobs.scope import ProjectScope

router = APIRouter(prefix="/api/v1/projects/{project}/notify", tags=["notify"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Reader = Annotated[Caller, Depends(require("read"))]
Actor = Annotated[Caller, Depends(require("act"))]


class MessageOut(BaseModel):
    id: str
    channel: str
    record: str
    event: str
    state: str
    attempts: int = Field(ge=0)
    next_at: str
    created_at: str
    delivered_at: str | None
    last_error: str


class OutboxOut(BaseModel):
    pending: list[MessageOut]
    delivered: int = Field(ge=0)
    dead: list[MessageOut]


class RetryIn(BaseModel):
    id: str | None = Field(default=None, min_length=1, max_length=200,
                           description="the dead letter to retry (default: every one)")


class RetryOut(BaseModel):
    retrying: list[str]


class AttemptOut(BaseModel):
    id: str
    channel: str
    record: str
    outcome: str
    attempts: int = Field(ge=0)
    error: str
    next_at: str | None


class DeliveryOut(BaseModel):
    delivered: int = Field(ge=0)
    retrying: int = Field(ge=0)
    dead: int = Field(ge=0)
    status_queued: int = Field(ge=0)
    attempts: list[AttemptOut]


@router.get("", response_model=OutboxOut, summary="The outbox: pending, delivered, dead letters")
def status(request: Request, caller: Reader) -> OutboxOut:
    from hotfix.services.notify.outbox import outbox_status_of

    return OutboxOut.model_validate(outbox_status_of(_scope(request, caller).notify.outbox)
                                    .to_dict())


@router.post("/retry", response_model=RetryOut, summary="Make dead letters pending again")
def retry(request: Request, caller: Actor, body: RetryIn) -> RetryOut:
    from hotfix.services.notify.outbox import retry_dead

    scope = _scope(request, caller)
    return RetryOut(retrying=retry_dead(scope.notify.outbox, body.id, scope.now()))


@router.post("/run", response_model=DeliveryOut,
             summary="Deliver every notice due now, with the server's channels")
def run(request: Request, caller: Actor) -> DeliveryOut:
    from hotfix.services.notify.dispatch import deliver_due

    scope = _scope(request, caller)
    return DeliveryOut.model_validate(deliver_due(scope, scope.now()).to_dict())


def _scope(request: Request, caller: Caller) -> ProjectScope:
    from hotfix.services.server import project_scope

    state = server_state(request)
    return project_scope(state.settings, state.parts, caller.project)
