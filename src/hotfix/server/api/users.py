"""Users and tokens, for admins (the same service as ``hotfix users``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from hotfix.ports.identity import TokenRecord, UserView
from hotfix.server.auth import Caller, require
from hotfix.server.problems import responses
from hotfix.server.schemas import Issued, Revoked, TokenOut, UserIn, UserOut
from hotfix.server.state import server_state
from hotfix.services.identity import users as service

router = APIRouter(prefix="/api/v1/users", tags=["users"],
                   responses=responses(400, 401, 403, 404, 422, 429, 500, 503))
Admin = Annotated[Caller, Depends(require("admin"))]


@router.get("", response_model=list[UserOut], summary="Every user, their roles and tokens")
def list_users(request: Request, _: Admin) -> list[UserOut]:
    return [user_out(v) for v in service.list_users(server_state(request).parts.identities)]


@router.post("", response_model=Issued, status_code=201,
             summary="Add a user (or a role) and issue a token, shown once")
def add_user(request: Request, _: Admin, body: UserIn) -> Issued:
    parts = server_state(request).parts
    issued = service.add_user(parts.identities, body.email, body.role, body.project,
                              parts.clock.now(), body.expires, body.label)
    return Issued(email=issued.identity.email, token=issued.secret, token_id=issued.token.id,
                  grants={p: sorted(r) for p, r in issued.identity.grants.items()},
                  expires_at=_iso(issued.token.expires_at))


@router.post("/{email}/revoke", response_model=Revoked, summary="Revoke a user's tokens")
def revoke(request: Request, _: Admin, email: str,
           token: Annotated[int | None, Query(ge=1, le=2**31)] = None) -> Revoked:
    parts = server_state(request).parts
    count = service.revoke(parts.identities, email, parts.clock.now(), token)
    return Revoked(email=email.strip().lower(), revoked=count)


def user_out(view: UserView) -> UserOut:
    return UserOut(email=view.identity.email, created_at=view.created_at.isoformat(),
                   grants={p: sorted(r) for p, r in view.identity.grants.items()},
                   tokens=[_token(t) for t in view.tokens])


def _token(t: TokenRecord) -> TokenOut:
    return TokenOut(id=t.id, label=t.label, created_at=t.created_at.isoformat(),
                    expires_at=_iso(t.expires_at), revoked_at=_iso(t.revoked_at),
                    last_used_at=_iso(t.last_used_at))


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
