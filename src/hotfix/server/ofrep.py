"""The OpenFeature Remote Evaluation Protocol: any OpenFeature SDK's OFREP provider reads
hotfix's flags here, with its project's client key (``hotfix flags key create``).

- ``POST /ofrep/v1/evaluate/flags/{key}``: one flag → 200 with value, variant and reason;
  404 FLAG_NOT_FOUND; 400 INVALID_CONTEXT, PARSE_ERROR or TARGETING_KEY_MISSING.
- ``POST /ofrep/v1/evaluate/flags``: every flag of the project, with an ``ETag``; the same
  answer again with ``If-None-Match`` → 304.

The key goes in ``Authorization: Bearer hfk_…`` (or ``X-API-Key``); a missing, unknown or
revoked key → 401. Definitions are derived from the project's ``flag`` records on every
request, so a kill is served by the very next evaluation."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hotfix.domain.flags.evaluate import context_error, evaluate, failure
from hotfix.domain.flags.model import Flag
from hotfix.errors import NotAuthenticated
from hotfix.server.problems import responses
from hotfix.server.state import server_state
from hotfix.services.flags.catalog import catalog
from hotfix.services.flags.client_keys import project_of_key

router = APIRouter(prefix="/ofrep/v1", tags=["ofrep"])


class Success(BaseModel):
    key: str
    value: Any
    variant: str
    reason: str = Field(examples=["TARGETING_MATCH"])
    metadata: dict[str, Any] = Field(default_factory=dict)


class Failure(BaseModel):
    key: str | None = None
    errorCode: str = Field(examples=["FLAG_NOT_FOUND"])  # OFREP names its fields so
    errorDetails: str | None = None


class Bulk(BaseModel):
    flags: list[Success | Failure]


CONTEXT = {"requestBody": {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"context": {"type": "object",
                                                 "additionalProperties": True}}}}}}}
NOT_SERVED = {400: {"model": Failure, "description": "INVALID_CONTEXT, PARSE_ERROR or "
                    "TARGETING_KEY_MISSING"},
              **responses(401, 500, 503)}


def client_project(request: Request) -> str:
    """The project whose live client key the request carries (401 otherwise)."""
    given = request.headers.get("X-API-Key", "")
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        given = credentials.strip()
    if not given:
        raise NotAuthenticated("evaluating flags needs the project's client key",
                               hint="send Authorization: Bearer hfk_… (hotfix flags key "
                                    "create --project NAME)")
    return project_of_key(server_state(request).parts.identities, given)


Project = Annotated[str, Depends(client_project)]
FlagKey = Annotated[str, Path(min_length=1, max_length=100, examples=["new-checkout"])]


def served(request: Request, project: str) -> dict[str, Flag]:
    records = server_state(request).records(project).list()
    return {k: s.served for k, s in catalog(records).items() if s.served is not None}


async def _context(request: Request, key: str | None) -> tuple[Any, JSONResponse | None]:
    """The request's evaluation context, or the 400 answer saying why it has none."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return None, _error(400, key, "PARSE_ERROR", "the request body is not JSON")
    context = body.get("context", {}) if isinstance(body, dict) else body
    problem = context_error(context) if isinstance(body, dict) else "the body is an object"
    if problem:
        return None, _error(400, key, "INVALID_CONTEXT", problem)
    return context, None


def _error(status: int, key: str | None, code: str, details: str) -> JSONResponse:
    body = {"errorCode": code, "errorDetails": details}
    return JSONResponse({"key": key, **body} if key else body, status_code=status)


@router.post("/evaluate/flags/{key}", summary="Evaluate one flag (OFREP)",
             response_model=Success, openapi_extra=CONTEXT,
             responses={**NOT_SERVED, 404: {"model": Failure, "description": "FLAG_NOT_FOUND"}})
async def evaluate_flag(request: Request, project: Project, key: FlagKey) -> Response:
    context, refused = await _context(request, key)
    if refused:
        return refused
    flags = await run_in_threadpool(served, request, project)
    if key not in flags:
        result = failure(key, "FLAG_NOT_FOUND", f"there is no flag {key!r} served in {project}")
        return JSONResponse(result.ofrep(), status_code=404)
    result = evaluate(flags[key], context)
    return JSONResponse(result.ofrep(), status_code=400 if result.error_code else 200)


@router.post("/evaluate/flags", summary="Evaluate every flag (OFREP bulk, with an ETag)",
             response_model=Bulk, openapi_extra=CONTEXT,
             responses={**NOT_SERVED, 304: {"description": "unchanged since If-None-Match"}})
async def evaluate_flags(request: Request, project: Project) -> Response:
    context, refused = await _context(request, None)
    if refused:
        return refused
    flags = await run_in_threadpool(served, request, project)
    body = {"flags": [evaluate(flag, context).ofrep() for _, flag in sorted(flags.items())]}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
    if etag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(text, media_type="application/json", headers={"ETag": etag})
