"""Signing in to the dashboard: a token, once, into an HttpOnly session cookie.

The cookie holds the user's token (``SameSite=Strict``, ``HttpOnly``, ``Secure`` over
HTTPS, path ``/ui``); every page resolves it through ``auth.identity_of_token`` — the same
hash lookup, expiry, revocation and rate limits as a bearer token. Forms carry a CSRF token
derived from the session (HMAC of the token's hash), checked in constant time on every POST;
with ``SameSite=Strict`` a cross-site form cannot even send the cookie.

``page(permission)`` is the dependency every dashboard route declares (the route table test
tests/server/test_dashboard.py finds it): no session → ``LoginRequired`` (a redirect to the
sign-in page), the wrong role → ``Forbidden`` (a 403 page naming the role needed).
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from hotfix.domain.identity.access import ALL_PROJECTS, PERMISSIONS, allows, roles_for
from hotfix.domain.identity.tokens import token_hash
from hotfix.errors import Forbidden, LoginRequired, NotAuthenticated
from hotfix.server.auth import Caller, identity_of_token
from hotfix.server.state import server_state

COOKIE = "hotfix_session"
PREFIX = "/ui"


def csrf_token(secret: str) -> str:
    """The CSRF token of the session whose token is ``secret``."""
    return hmac.new(token_hash(secret).encode(), b"hotfix-dashboard-csrf",
                    hashlib.sha256).hexdigest()[:40]


def csrf_ok(secret: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(secret), given or "")


def require_csrf(request: Request, given: str) -> None:
    """Refuse a form whose CSRF token is not the session's."""
    if not csrf_ok(session_secret(request), given):
        raise Forbidden("the form's CSRF token does not match your session",
                        hint="reload the page and submit the form again")


class page:
    """The dependency that lets only signed-in users whose roles grant ``permission``
    see a dashboard page or post its form."""

    def __init__(self, permission: str) -> None:
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        self.permission = permission

    def __call__(self, request: Request) -> Caller:
        secret = request.cookies.get(COOKIE, "")
        if not secret:
            raise LoginRequired("sign in to see this page", hint="sign in with your token")
        state = server_state(request)
        try:
            identity = identity_of_token(state, request, secret)
        except NotAuthenticated as exc:
            raise LoginRequired(f"your session ended: {exc.message}",
                                hint="sign in again with a valid token") from None
        project = str(request.path_params.get("project", ALL_PROJECTS))
        roles = identity.roles(project)
        if not allows(roles, self.permission):
            needed = ", ".join(roles_for(self.permission))
            raise Forbidden(f"{identity.email} may not {self.permission} in {project}: that "
                            f"needs the role {needed}",
                            hint=f"an admin grants it: hotfix users add {identity.email} "
                                 f"--role {roles_for(self.permission)[0]} --project {project}")
        request.state.session_secret = secret
        return Caller(identity.email, project, roles, identity, "session")


def session_secret(request: Request) -> str:
    """The token behind the request's session (set by ``page``)."""
    return str(getattr(request.state, "session_secret", ""))
