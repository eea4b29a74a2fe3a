"""Who am I, and the projects: each with the settings its record is decided with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from hotfix.server.auth import Caller, current_user, project_path, require
from hotfix.server.problems import COMMON, PROJECT
from hotfix.server.schemas import LifecycleOut, Me, ProjectOut
from hotfix.server.state import server_state
from hotfix.services.record.records import RecordSettings

router = APIRouter(prefix="/api/v1", tags=["projects"], responses=COMMON)
IN_PROJECT: dict[str, Any] = {"dependencies": [Depends(project_path)], "responses": PROJECT}


@router.get("/me", response_model=Me, summary="The signed-in user and their roles")
def me(caller: Annotated[Caller, Depends(current_user)]) -> Me:
    return Me(email=caller.email, project=caller.project, roles=sorted(caller.roles),
              grants={p: sorted(r) for p, r in caller.identity.grants.items()}, via=caller.via)


@router.get("/projects", response_model=list[ProjectOut], summary="The projects served")
def projects(request: Request, _: Annotated[Caller, Depends(current_user)]) -> list[ProjectOut]:
    state = server_state(request)
    return [_project(name, state.records(name).settings) for name in state.settings.projects]


@router.get("/projects/{project}", response_model=ProjectOut, summary="One project",
            **IN_PROJECT)
def project(request: Request, caller: Annotated[Caller, Depends(require("read"))]) -> ProjectOut:
    records = server_state(request).records(caller.project)  # 404 for a project not served
    return _project(caller.project, records.settings)


@router.get("/projects/{project}/me", response_model=Me, summary="My roles in the project",
            **IN_PROJECT)
def my_roles(caller: Annotated[Caller, Depends(current_user)]) -> Me:
    return me(caller)


def _project(name: str, s: RecordSettings) -> ProjectOut:
    life = s.lifecycle
    return ProjectOut(
        name=name, prefix=s.prefix, approvals_required=dict(s.approvals_required),
        approvers=list(s.approvers),
        lifecycle=LifecycleOut(
            project_kind=life.project_kind,
            close_require={k: list(v) for k, v in life.close_require.items()},
            guards_enabled={k: sorted(v) for k, v in life.guards_enabled.items()},
            approved_templates=list(life.approved_templates)))
