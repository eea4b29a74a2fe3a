"""Content hotfixes on the server: the synced catalog (``require("act")``: never a marketer),
a template's approval (``require("approve")``, never by its author), changes through
approved templates (an image slot's file given in the JSON body, base64), publish and revert
(``require("content")``: marketers and admins), a change's approval by a marketer when
``content.approver_roles`` lists them (``require("content")``, decided with the server's
settings), and the public, cached zone a site or CDN
reads (``GET /content/v1/zones/{zone}``) with its uploaded images
(``GET /content/v1/images/{name}``, immutable; docs/content.md)."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from pydantic import BaseModel, Field

from hotfix.domain.content.images import NAME, Upload
from hotfix.errors import NotFound, UsageError
from hotfix.server.api.actions import RequestKey, _approving
from hotfix.server.auth import Caller, HotfixKey, project_path, require
from hotfix.server.problems import PROJECT, responses
from hotfix.server.schemas import HotfixWithEvents
from hotfix.server.state import server_state
from hotfix.services.content.catalog import ContentSettings
from hotfix.services.content.changes import ContentDesk
from hotfix.services.server import content_desk

router = APIRouter(prefix="/api/v1/projects/{project}/content", tags=["content"],
                   dependencies=[Depends(project_path)], responses=PROJECT)
public = APIRouter(prefix="/content/v1", tags=["content"])
Marketer = Annotated[Caller, Depends(require("content"))]
Engineer = Annotated[Caller, Depends(require("act"))]  # engineering syncs, never a marketer
Reader = Annotated[Caller, Depends(require("read"))]
Approver = Annotated[Caller, Depends(require("approve"))]  # never the template's author
Admin = Annotated[Caller, Depends(require("admin"))]  # removes what nothing names any more
ZoneName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$",
                               examples=["shipping"])]
TemplateName = Annotated[str, Path(min_length=1, max_length=100,
                                   pattern=r"^[A-Za-z0-9_.-]+$",
                                   examples=["shipping-deadline"])]


class CatalogIn(BaseModel):
    zones: dict[str, dict[str, Any]]
    templates: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ApprovalOut(BaseModel):
    template: str
    digest: str  # the template's content hash it pins
    by: str
    at: str
    record: str  # the record the approve_template event is on
    authors: list[str]  # who could not approve it
    created: bool = False  # False: it was approved already, nothing was written


class CatalogOut(BaseModel):
    version: int
    digest: str
    created: bool = False
    actor: str
    at: str
    zones: dict[str, Any]
    templates: dict[str, Any]
    approved: list[str]  # the templates whose current digest an approver approved
    digests: dict[str, str] = Field(default_factory=dict)  # template → its content hash
    approvals: dict[str, ApprovalOut] = Field(default_factory=dict)  # the approved ones'


class ApproveIn(BaseModel):
    digest: str = Field(min_length=12, max_length=64, pattern=r"^[0-9a-fA-F]+$",
                        description="the template's digest as the approver reviewed it "
                        "(GET …/content/catalog: digests); a prefix of 12 or more digits")


class ZoneOut(BaseModel):
    zone: str
    record: str | None  # the content change it shows; None: nothing published
    template: str | None
    values: dict[str, Any]
    catalog_version: int | None
    published_at: str | None
    fragment: str = Field(description="the rendered HTML a site shows (values escaped, rich "
                          "text sanitised); empty while nothing is published")


class FileIn(BaseModel):
    """A file for an image slot: its bytes in base64; the server checks what they are."""

    filename: str = Field(min_length=1, max_length=255, examples=["banner.png"])
    type: str | None = Field(default=None, max_length=100, examples=["image/png"])
    data: str = Field(max_length=16_000_000, description="the file's bytes, base64")

    def upload(self, slot: str) -> Upload:
        try:
            data = base64.b64decode(self.data, validate=True)
        except (binascii.Error, ValueError):
            raise UsageError(f"files.{slot}.data is not base64",
                             hint="send the file's bytes base64-encoded") from None
        return Upload(self.filename, self.type, data)


Files = Annotated[dict[str, FileIn], Field(default_factory=dict, max_length=20, description=(
    "slot → file for its image slots (the slot's value is then the alt text)"))]


def uploads(files: dict[str, FileIn]) -> dict[str, Upload]:
    return {slot: file.upload(slot) for slot, file in files.items()}


class ChangeIn(BaseModel):
    template: str = Field(min_length=1, max_length=100)
    values: dict[str, str | int] = Field(default_factory=dict)
    title: str | None = Field(default=None, max_length=300)
    files: Files


def desk(request: Request, project: str, request_key: str | None = None) -> ContentDesk:
    """The project's desk; its record (the approvers read, the request's key) is built on
    its first use, so a zone served from the cache builds none."""
    state = server_state(request)
    if project not in state.settings.projects or project not in state.parts.logs:
        state.records(project)  # its NotFound, naming the projects
    base = functools.cache(functools.partial(state.records, project, request_key))
    found = content_desk(state.settings, state.parts, project, base)
    if found is None:
        raise NotFound(f"project {project!r} keeps no content catalog on this server",
                       hint="the server's record must be SQL (hotfix serve's database)")
    return found


def _catalog_out(request: Request, project: str, created: bool = False) -> CatalogOut:
    version, catalog, approvals = desk(request, project).approvals()
    return CatalogOut(version=version.version, digest=version.digest, created=created,
                      actor=version.actor, at=version.at.isoformat(),
                      zones=dict(version.body["zones"]), templates=dict(version.body["templates"]),
                      approved=sorted(approvals),
                      digests={n: t.digest for n, t in sorted(catalog.templates.items())},
                      approvals={n: ApprovalOut(**a.to_dict())
                                 for n, a in sorted(approvals.items())})


@router.post("/catalog", response_model=CatalogOut, summary="Sync zones and templates "
             "(hotfix content sync): a new version when they changed")
def sync_catalog(request: Request, caller: Engineer, body: CatalogIn) -> CatalogOut:
    _, created = desk(request, caller.project).sync(body.model_dump(), caller.email)
    return _catalog_out(request, caller.project, created)


@router.post("/templates/{name}/approve", response_model=ApprovalOut,
             summary="Approve a template as reviewed (its digest): an event on the record; "
             "409 for its author or when it changed since")
def approve_template(request: Request, caller: Approver, name: TemplateName,
                     body: ApproveIn) -> ApprovalOut:
    approval, created = desk(request, caller.project).approve(name, body.digest, caller.email)
    return ApprovalOut(**approval.to_dict(), created=created)


@router.get("/catalog", response_model=CatalogOut, summary="The newest synced catalog")
def catalog(request: Request, caller: Reader) -> CatalogOut:
    return _catalog_out(request, caller.project)


@router.post("/changes", response_model=HotfixWithEvents, status_code=201,
             summary="Open a content change through an approved template")
def change(request: Request, caller: Marketer, body: ChangeIn,
           idempotency_key: RequestKey = None) -> HotfixWithEvents:
    d = desk(request, caller.project, idempotency_key)
    return HotfixWithEvents.full(d.change(body.template, body.values, caller.email, body.title,
                                          uploads(body.files)))


class ApproveChangeIn(BaseModel):
    note: str = Field(default="", max_length=2000)


@router.post("/changes/{key}/approve", response_model=HotfixWithEvents,
             summary="Approve a content change, as a role content.approver_roles names "
             "(e.g. a second marketer); never its requester, never twice by one person")
def approve_change(request: Request, caller: Marketer, key: HotfixKey, body: ApproveChangeIn,
                   idempotency_key: RequestKey = None) -> HotfixWithEvents:
    return _approving(request, caller, key, "approve", {"note": body.note}, idempotency_key,
                      content=True)


class DraftIn(BaseModel):
    template: str = Field(min_length=1, max_length=100)
    values: dict[str, str | int] = Field(default_factory=dict)
    files: Files


@router.post("/changes/{key}/draft", response_model=HotfixWithEvents,
             summary="(Re-)draft a record routed to content: it needs a new approval")
def draft(request: Request, caller: Marketer, key: HotfixKey, body: DraftIn,
          idempotency_key: RequestKey = None) -> HotfixWithEvents:
    d = desk(request, caller.project, idempotency_key)
    return HotfixWithEvents.full(d.draft(key, body.template, body.values, caller.email,
                                         uploads(body.files)))


@router.get("/zones/{zone}", response_model=ZoneOut, summary="What a zone shows now")
def project_zone(request: Request, caller: Reader, zone: ZoneName) -> dict[str, Any]:
    return desk(request, caller.project).zone(zone).body()


OVER = ("the record the zone shows now that this replaces, or none; default: what it "
        "showed when the change was drafted (409 zone_changed, naming who published, else)")


class PublishIn(BaseModel):
    over: str | None = Field(default=None, max_length=20, description=OVER,
                             examples=["HF-7", "none"])


@router.post("/changes/{key}/publish", response_model=HotfixWithEvents,
             summary="Publish an approved content change now")
def publish(request: Request, caller: Marketer, key: HotfixKey,
            body: PublishIn | None = None,
            idempotency_key: RequestKey = None) -> HotfixWithEvents:
    return HotfixWithEvents.full(desk(request, caller.project, idempotency_key).publish(
        key, caller.email, body.over if body else None))


class ScheduleIn(BaseModel):
    start: str | None = Field(default=None, max_length=40, examples=["2026-12-18T09:00"])
    end: str | None = Field(default=None, max_length=40, examples=["2026-12-24T00:00"])
    tz: str = Field(default="UTC", max_length=64, examples=["Europe/Berlin"])
    over: str | None = Field(default=None, max_length=20, description=OVER)


@router.post("/changes/{key}/schedule", response_model=HotfixWithEvents,
             summary="Schedule an approved content change: live from start until end")
def schedule(request: Request, caller: Marketer, key: HotfixKey, body: ScheduleIn,
             idempotency_key: RequestKey = None) -> HotfixWithEvents:
    return HotfixWithEvents.full(desk(request, caller.project, idempotency_key).schedule(
        key, caller.email, body.start, body.end, body.tz, body.over))


@router.post("/changes/{key}/revert", response_model=HotfixWithEvents,
             summary="Revert a published content change: its zone shows what it showed before")
def revert(request: Request, caller: Marketer, key: HotfixKey,
           idempotency_key: RequestKey = None) -> HotfixWithEvents:
    return HotfixWithEvents.full(desk(request, caller.project, idempotency_key).revert(
        key, caller.email))


@public.get("/zones/{zone}", summary="A zone's live content and its rendered fragment "
            "(public; ETag, short max-age)",
            responses={200: {"model": ZoneOut, "description": "What the zone shows now"},
                       **responses(404, 422, 503), 304: {"description": "Not modified"}})
def zone(request: Request, zone: ZoneName,
         if_none_match: Annotated[str | None, Header()] = None) -> Response:
    state = server_state(request)
    project = state.settings.default_project
    settings = state.settings.content.get(project, ContentSettings())
    live = settings.delivered(desk(request, project).zone(zone))  # content.public_url
    body = json.dumps(live.body(), sort_keys=True).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    max_age = settings.max_age
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}",
               "Access-Control-Allow-Origin": "*", "Vary": "Accept-Encoding"}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


ImageName = Annotated[str, Path(max_length=80, pattern=NAME.pattern,
                                examples=[f"{'0' * 64}.png"])]
FOREVER = "public, max-age=31536000, immutable"  # a name is its bytes' hash: never changes
MINE = "private, max-age=31536000, immutable"  # the same, read with a token: no shared cache


IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}, "image/jpeg": {}, "image/gif": {}, "image/webp": {}},
          "description": "The image"},
    **responses(404, 422, 503), 304: {"description": "Not modified"}}


@public.get("/images/{name}", summary="An uploaded content image (public; immutable)",
            responses=IMAGE_RESPONSES)
def image(request: Request, name: ImageName,
          if_none_match: Annotated[str | None, Header()] = None) -> Response:
    return _image(desk(request, server_state(request).settings.default_project), name,
                  if_none_match, FOREVER)


@router.get("/images/{name}", summary="An uploaded image of this project (hotfix content "
            "export signed in)", responses=IMAGE_RESPONSES)
def project_image(request: Request, caller: Reader, name: ImageName,
                  if_none_match: Annotated[str | None, Header()] = None) -> Response:
    return _image(desk(request, caller.project), name, if_none_match, MINE)


class PruneIn(BaseModel):
    apply: bool = Field(default=False, description="remove them; false: only list them")
    grace_seconds: int = Field(default=3600, ge=0, le=366 * 86400, description=(
        "leave an image kept this recently alone: its draft may be being written"))


class StoredOut(BaseModel):
    name: str
    size: int
    media_type: str
    width: int
    height: int
    actor: str
    at: str


class PrunedOut(BaseModel):
    removed: bool  # false: a dry run, nothing removed
    kept: int  # named by an event of some record
    recent: int  # named by none, kept within the grace period
    bytes: int
    unreferenced: list[StoredOut]


@router.post("/images/prune", response_model=PrunedOut, summary="List, or remove, the "
             "uploaded images no event of any record names (admin)")
def prune_images(request: Request, caller: Admin, body: PruneIn) -> dict[str, object]:
    return desk(request, caller.project).prune_images(
        body.apply, timedelta(seconds=body.grace_seconds)).to_dict()


def _image(d: ContentDesk, name: str, if_none_match: str | None, cache: str) -> Response:
    kept = d.catalogs.images
    etag = f'"{name.partition(".")[0]}"'
    headers = {"ETag": etag, "Cache-Control": cache, "Access-Control-Allow-Origin": "*",
               "X-Content-Type-Options": "nosniff"}
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")} and \
            kept.facts(name) is not None:
        return Response(status_code=304, headers=headers)
    found = kept.get(name)
    if found is None:
        raise NotFound(f"there is no uploaded image {name!r}",
                       hint="an image slot's value names the image it shows")
    return Response(found.data, media_type=found.facts.media_type, headers=headers)
