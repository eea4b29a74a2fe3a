"""Feature flags on the server: each flag with what it serves and its history (``read``),
and the project's client keys for OFREP (``admin``: created, shown once, revoked).

Flags change through the record's own routes (open a ``flag`` record, ``set``, ``kill``:
``hotfix flags`` in client mode), so the lifecycle and approvals decide every change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from hotfix.errors import NotFound
from hotfix.ports.identity import ClientKey
from hotfix.server.auth import Caller, project_path, require
from hotfix.server.problems import PROJECT
from hotfix.server.state import server_state
from hotfix.services.flags import client_keys
from hotfix.services.flags.catalog import catalog

router = APIRouter(prefix="/api/v1/projects/{project}/flags", tags=["flags"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
Reader = Annotated[Caller, Depends(require("read"))]
Admin = Annotated[Caller, Depends(require("admin"))]


class KeyIn(BaseModel):
    label: str = Field("", max_length=200, examples=["checkout service"])


class KeyOut(BaseModel):
    id: int
    project: str
    label: str
    created_by: str
    created_at: str
    revoked_at: str | None = None


class IssuedKeyOut(KeyOut):
    key: str = Field(description="the client key: shown this once, never again")


def _key(k: ClientKey) -> dict[str, Any]:
    return {"id": k.id, "project": k.project, "label": k.label, "created_by": k.created_by,
            "created_at": k.created_at.isoformat(),
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}


@router.get("", summary="Every flag: what it serves, its record and history")
def list_flags(request: Request, caller: Reader) -> list[dict[str, Any]]:
    records = server_state(request).records(caller.project).list()
    return [s.to_dict() for s in catalog(records).values()]


@router.get("/keys", response_model=list[KeyOut], summary="The project's client keys")
def list_keys(request: Request, caller: Admin) -> list[KeyOut]:
    keys = server_state(request).parts.identities.client_keys(caller.project)
    return [KeyOut(**_key(k)) for k in keys]


@router.post("/keys", response_model=IssuedKeyOut, status_code=201,
             summary="Create a client key for OFREP, shown once")
def create_key(request: Request, caller: Admin, body: KeyIn) -> IssuedKeyOut:
    state = server_state(request)
    state.records(caller.project)  # 404 for a project not served
    issued = client_keys.create_key(state.parts.identities, caller.project, body.label,
                                    caller.email, state.parts.clock.now())
    return IssuedKeyOut(**_key(issued.key), key=issued.secret)


@router.post("/keys/{key_id}/revoke", response_model=KeyOut, summary="Revoke a client key")
def revoke_key(request: Request, caller: Admin,
               key_id: Annotated[int, Path(ge=1, le=2**31)]) -> KeyOut:
    parts = server_state(request).parts
    client_keys.revoke_key(parts.identities, caller.project, key_id, parts.clock.now())
    return KeyOut(**_key(next(k for k in parts.identities.client_keys(caller.project)
                              if k.id == key_id)))


@router.get("/{key}", summary="One flag: what it serves, its record and history")
def one_flag(request: Request, caller: Reader,
             key: Annotated[str, Path(min_length=1, max_length=100)]) -> dict[str, Any]:
    found = catalog(server_state(request).records(caller.project).list()).get(key)
    if found is None:
        raise NotFound(f"there is no flag {key!r}", hint="see them: GET …/flags")
    return found.to_dict()
