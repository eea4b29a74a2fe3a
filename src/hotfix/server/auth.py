"""Who is asking: a bearer token, or the identity header of a trusted sign-on proxy.

- Tokens: only their SHA-256 is kept and compared in constant time
  (``hotfix.domain.identity.tokens``, ``hotfix.services.identity.users.authenticate``);
  expired and revoked ones are refused; each use is noted (``last used``).
- The identity header (``server.identity_header``, ``X-Forwarded-Email``) is trusted only
  from ``server.trusted_proxies``; from anyone else the request is refused and recorded.
- Rate limits: ``server.rate_limit`` requests per minute per token, and
  ``server.login_rate_limit`` failed sign-ins per minute per address (then 429).

``current_user`` is the FastAPI dependency giving the ``Caller``; ``require(permission)``
adds the role check from ``hotfix.domain.identity.access.PERMISSIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from typing import Annotated

from fastapi import Depends, Path, Request
from starlette.exceptions import HTTPException

from hotfix.domain.identity.access import (
    ALL_PROJECTS,
    PERMISSIONS,
    allows,
    normalise_email,
    roles_for,
)
from hotfix.domain.identity.tokens import token_hash
from hotfix.errors import Forbidden, NotAuthenticated
from hotfix.ports.identity import Identity, SecurityEvent
from hotfix.server.state import ServerState, server_state
from hotfix.services.identity.users import authenticate


@dataclass(frozen=True)
class Caller:
    """An authenticated user in the project of the request (``*`` outside a project)."""

    email: str  # normalised: trimmed, lower-case
    project: str
    roles: frozenset[str]
    identity: Identity
    via: str  # "token" or "proxy"


def peer(request: Request) -> str:
    """The address the connection came from (never a forwarded header)."""
    return request.client.host if request.client else ""


ProjectName = Annotated[str, Path(min_length=1, max_length=64, examples=["default"],
                                  description="The project (a repository) on this server")]
HotfixKey = Annotated[str, Path(min_length=1, max_length=40, examples=["HF-1"],
                                description="The hotfix: HF-12, or 12")]


def project_path(project: ProjectName) -> str:
    """Declares ``{project}`` for the OpenAPI document; ``current_user`` reads it."""
    return project


def current_user(request: Request) -> Caller:
    state = server_state(request)
    project = str(request.path_params.get("project", ALL_PROJECTS))
    header = request.headers.get(state.settings.identity_header)
    if header is not None:
        identity = _from_proxy(state, request, header)
        return Caller(identity.email, project, identity.roles(project), identity, "proxy")
    auth = request.headers.get("authorization", "")
    scheme, _, secret = auth.partition(" ")
    if not auth or scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("this needs a signed-in user: no bearer token was given",
                               hint="hotfix login URL, or send Authorization: Bearer TOKEN")
    identity = identity_of_token(state, request, secret.strip())
    return Caller(identity.email, project, identity.roles(project), identity, "token")


def identity_of_token(state: ServerState, request: Request, secret: str) -> Identity:
    """The token's user, within the rate limits (the dashboard's session uses this too)."""
    address = peer(request)
    wait = state.failures.over(address, state.settings.login_rate_limit)
    if wait:
        raise _too_many(wait, "too many failed sign-ins from this address")
    try:
        identity = authenticate(state.parts.identities, secret, state.parts.clock.now())
    except NotAuthenticated:
        state.failures.hit(address, state.settings.login_rate_limit)
        raise
    wait = state.tokens.hit(token_hash(secret), state.settings.rate_limit)
    if wait:
        raise _too_many(wait, "this token made too many requests")
    return identity


def _from_proxy(state: ServerState, request: Request, header: str) -> Identity:
    address = peer(request)
    name = state.settings.identity_header
    if not _trusted(state, address):
        state.parts.identities.record(SecurityEvent(
            state.parts.clock.now(), "forged_identity_header", header[:320], address,
            f"{name} sent by an address that is not a trusted proxy"))
        raise NotAuthenticated(f"the {name} header is trusted only from the sign-on proxy; "
                               f"this request came from {address} (recorded)",
                               hint="sign in through the proxy, or use a token: hotfix login URL")
    email = normalise_email(header)
    identity = state.parts.identities.identity(email)
    if identity is None:
        raise NotAuthenticated(f"{email} signed in through the proxy but is not a user here",
                               hint=f"an admin adds them: hotfix users add {email} --role viewer")
    return identity


def _trusted(state: ServerState, address: str) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in state.settings.trusted_proxies)


def _too_many(wait: int, message: str) -> HTTPException:
    return HTTPException(429, f"{message}; try again in {wait} s",
                         headers={"Retry-After": str(wait)})


class require:
    """The dependency that lets only callers whose roles grant ``permission`` through.

    The route table test (tests/server/test_authorization.py) finds it on every route."""

    def __init__(self, permission: str) -> None:
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        self.permission = permission

    def __call__(self, caller: Caller = Depends(current_user)) -> Caller:  # noqa: B008
        if not allows(caller.roles, self.permission):
            where = "" if caller.project == ALL_PROJECTS else f" in {caller.project}"
            needed = ", ".join(roles_for(self.permission))
            raise Forbidden(f"{caller.email} may not {self.permission}{where}: that needs "
                            f"the role {needed}",
                            hint=f"an admin grants it: hotfix users add {caller.email} --role "
                            f"{roles_for(self.permission)[0]} --project {caller.project}")
        return caller
