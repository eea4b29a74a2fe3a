"""The audit of the release lines, as the team's CI publishes it (``hotfix audit
--publish``): the server has no checkout of the repository, so it keeps what was computed
there, at which mainline commit, by whom, and shows the newest (API and dashboard)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hotfix.domain.audit.equivalence import Status
from hotfix.errors import NotFound
from hotfix.server.auth import Caller, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.state import publications, server_state

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["audit"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Reader = Annotated[Caller, Depends(require("read"))]
Actor = Annotated[Caller, Depends(require("act"))]
SHA = Field(pattern=r"^[0-9a-f]{7,64}$")


class MatchOut(BaseModel):
    sha: str = Field(max_length=64)
    by: str = Field(max_length=32)


class CommitOut(BaseModel):
    sha: str = SHA
    subject: str = Field(max_length=2000)
    status: Literal[tuple(s.value for s in Status)]  # type: ignore[valid-type]
    match: MatchOut | None = None


class LineOut(BaseModel):
    line: str = Field(min_length=1, max_length=200)
    commits: list[CommitOut] = Field(max_length=100_000)

    @property
    def missing(self) -> list[CommitOut]:
        return [c for c in self.commits if c.status == Status.MISSING.value]


class AuditIn(BaseModel):
    commit: str = SHA  # the mainline commit the audit was computed at
    lines: list[LineOut] = Field(max_length=1000)


class AuditOut(AuditIn):
    id: int
    published_by: str
    published_at: str
    missing: int  # commits missing from the mainline, over every line


@router.post("/audit", response_model=AuditOut, status_code=201,
             summary="Publish an audit of the release lines (hotfix audit --publish)")
def publish(request: Request, caller: Actor, body: AuditIn) -> AuditOut:
    state = server_state(request)
    done = publications(state, caller.project).publish(
        "audit", body.commit, [line.model_dump() for line in body.lines], caller.email,
        state.parts.clock.now())
    return _out(done.id, done.commit, body.lines, done.actor, done.at.isoformat())


@router.get("/audit", response_model=AuditOut, summary="The newest published audit")
def latest(request: Request, caller: Reader) -> AuditOut:
    found = newest(request, caller.project)
    if found is None:
        raise NotFound(f"no audit was published to {caller.project} yet",
                       hint="publish one from the repository (e.g. in CI on the mainline): "
                            "hotfix audit --publish")
    return found


def newest(request: Request, project: str) -> AuditOut | None:
    found = publications(server_state(request), project).latest("audit")
    if found is None:
        return None
    lines = [LineOut.model_validate(line) for line in found.body]
    return _out(found.id, found.commit, lines, found.actor, found.at.isoformat())


def _out(number: int, commit: str, lines: list[LineOut], actor: str, at: str) -> AuditOut:
    return AuditOut(id=number, commit=commit, lines=lines, published_by=actor,
                    published_at=at, missing=sum(len(line.missing) for line in lines))
