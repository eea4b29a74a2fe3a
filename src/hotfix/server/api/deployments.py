"""The record of deployments, for a CLI signed in to the server (``hotfix deployed``, and
hotfix's own promotions and rollbacks): which release went live when. ``hotfix metrics``
counts them wherever it runs; who reported one is the token's user, never the body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotfix.server.auth import Caller, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.state import publications, server_state

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["deployments"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Reader = Annotated[Caller, Depends(require("read"))]
Actor = Annotated[Caller, Depends(require("act"))]
KIND = "deployment"


class DeploymentIn(BaseModel):
    version: str = Field(min_length=1, max_length=200)
    at: float = Field(ge=0, description="When it went live, seconds since the epoch")
    source: Literal["pipeline", "promote", "rollback", "up"] = "pipeline"
    key: str = Field("", max_length=200, description="The record that moved production")


class DeploymentOut(DeploymentIn):
    id: int
    by: str


@router.post("/deployments", response_model=DeploymentOut, status_code=201,
             summary="Record that a release went live (hotfix deployed, signed in)")
def add(request: Request, caller: Actor, body: DeploymentIn) -> DeploymentOut:
    state = server_state(request)
    done = publications(state, caller.project).publish(
        KIND, "", body.model_dump(), caller.email, datetime.fromtimestamp(body.at, UTC))
    return DeploymentOut(id=done.id, by=done.actor, **body.model_dump())


@router.get("/deployments", response_model=list[DeploymentOut],
            summary="Every release that went live, oldest first")
def every(request: Request, caller: Reader) -> list[DeploymentOut]:
    found = publications(server_state(request), caller.project).every(KIND)
    return [DeploymentOut(id=p.id, by=p.actor, **p.body) for p in found]
