"""The one error shape of the API: RFC 9457 problem details (``application/problem+json``).

A ``HotfixError`` keeps its message and hint (the same words the CLI prints) and its stable
``error`` name, so the remote client raises the same error the local record would have."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from hotfix import errors
from hotfix.domain.record.actors import signed_in

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("hotfix.server")

# most specific first: the first class an error is an instance of gives its status
STATUS: tuple[tuple[type[errors.HotfixError], int], ...] = (
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.GuardRefused, 409),
    (errors.ConflictError, 409),
    (errors.PolicyViolation, 403),
    (errors.ChainBroken, 409),
    (errors.SchemaTooNew, 503),
    (errors.StoreError, 503),
    (errors.ServerUnavailable, 503),
    (errors.UsageError, 422),
)
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Refused", 413: "Too large", 422: "Invalid request",
          429: "Too many requests", 500: "Internal error", 503: "Unavailable"}


class Problem(BaseModel):
    """RFC 9457 problem details, with hotfix's stable ``error`` name and its ``hint``."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    error: str
    hint: str | None = None


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The problem responses a route may give, for its OpenAPI description."""
    return {code: {"description": TITLES.get(code, "Error"), "model": Problem,
                   "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code in codes}


# every route: who is asking, rate limits, bad input, the store being down
COMMON = responses(400, 401, 422, 429, 500, 503)
PROJECT = responses(400, 401, 403, 404, 409, 422, 429, 500, 503)


def status_of(exc: errors.HotfixError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)


def problem(status: int, error: str, message: str, hint: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": f"https://hotfix.dev/problems/{error}", "title": TITLES.get(status, "Error"),
            "status": status, "detail": message, "error": error, "hint": hint, **extra}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def hotfix_problem(exc: errors.HotfixError) -> JSONResponse:
    """The error's words, with hints for a signed-in person: ``--as`` is never theirs."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, errors.NotAuthenticated) else None
    return problem(status_of(exc), exc.kind, signed_in(exc.message),
                   signed_in(exc.hint) if exc.hint else None, headers)


def install(app: FastAPI) -> None:
    """Every failure, ours or the framework's, leaves as problem details."""

    async def on_hotfix(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.HotfixError)
        return hotfix_problem(exc)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else None
        error = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return problem(exc.status_code, error, str(exc.detail), None, headers)

    async def on_invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        where = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                 for e in exc.errors()]
        first = where[0] if where else {"loc": [], "msg": "invalid"}
        message = f"{'.'.join(first['loc'])}: {first['msg']}"
        return problem(422, "usage_error", message, "see the API reference: /docs",
                       errors=where)

    async def on_bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error", exc_info=exc)
        return problem(500, "internal_error", "the server hit a bug",
                       "the server's log has the traceback; please report it")

    app.add_exception_handler(errors.HotfixError, on_hotfix)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(Exception, on_bug)
