"""The delivery metrics, as the team's CI publishes them (``hotfix metrics --publish``):
DORA figures and unplanned work need the repository's tags and commits, which the server
does not have, so it keeps what was computed there and shows the newest (API, dashboard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotfix.errors import NotFound
from hotfix.server.auth import Caller, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.state import publications, server_state

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["metrics"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Reader = Annotated[Caller, Depends(require("read"))]
Actor = Annotated[Caller, Depends(require("act"))]
Name = Field(min_length=1, max_length=200)


class FigureOut(BaseModel):
    name: str = Name
    value: float | None
    unit: str = Field(max_length=40)
    counted: str = Field(max_length=2000)


class SprintOut(BaseModel):
    sprint: str = Name
    hotfixes: int = Field(ge=0)
    wall_seconds: float = Field(ge=0)
    logged_seconds: float = Field(ge=0)
    by_person: dict[str, float] = Field(max_length=1000)


class MetricsIn(BaseModel):
    since: str = Field(max_length=40)
    until: str = Field(max_length=40)
    figures: dict[str, FigureOut] = Field(max_length=50)
    assumptions: list[str] = Field(default_factory=list, max_length=100)
    sprints: list[SprintOut] = Field(default_factory=list, max_length=1000)
    hotfixes: dict[str, dict[str, int]] = Field(default_factory=dict, max_length=10)
    logged_by_person: dict[str, float] = Field(default_factory=dict, max_length=1000)


class MetricsOut(MetricsIn):
    id: int
    published_by: str
    published_at: str


@router.post("/metrics", response_model=MetricsOut, status_code=201,
             summary="Publish the delivery metrics (hotfix metrics --publish)")
def publish(request: Request, caller: Actor, body: MetricsIn) -> MetricsOut:
    state = server_state(request)
    done = publications(state, caller.project).publish(
        "metrics", "", body.model_dump(), caller.email, state.parts.clock.now())
    return MetricsOut(id=done.id, published_by=done.actor, published_at=done.at.isoformat(),
                      **body.model_dump())


@router.get("/metrics", response_model=MetricsOut, summary="The newest published metrics")
def latest(request: Request, caller: Reader) -> MetricsOut:
    found = newest(request, caller.project)
    if found is None:
        raise NotFound(f"no metrics were published to {caller.project} yet",
                       hint="publish them from the repository (e.g. in CI after each deploy): "
                            "hotfix metrics --publish")
    return found


def newest(request: Request, project: str) -> MetricsOut | None:
    found = publications(server_state(request), project).latest("metrics")
    if found is None:
        return None
    return MetricsOut(id=found.id, published_by=found.actor,
                      published_at=found.at.isoformat(), **found.body)
