"""The API's bodies (Pydantic v2): what the OpenAPI document at /openapi.json describes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hotfix.domain.record.events import Event
from hotfix.domain.record.hotfix import Hotfix

_TEXT = Field(default="", max_length=10_000)


class EventOut(BaseModel):
    hotfix: int
    seq: int
    at: str
    actor: str
    kind: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, event: Event) -> EventOut:
        return cls(**event.to_dict())


class HotfixOut(BaseModel):
    id: str
    number: int
    title: str
    kind: str
    state: str
    requester: str
    opened_at: str
    severity: str | None
    route: str | None
    approvals: list[str]
    next: str | None

    @classmethod
    def of(cls, record: Hotfix) -> HotfixOut:
        return cls(number=record.number, **record.summary())


class HotfixWithEvents(HotfixOut):
    events: list[EventOut]
    integrity: list[str] | None = Field(default=None, description=(
        "What the server's signatures contradict in this record or in the project's index "
        "of records (docs/security.md): empty when it holds; null where this response did "
        "not check (every record: GET …/integrity)."))

    @classmethod
    def full(cls, record: Hotfix) -> HotfixWithEvents:
        return cls(number=record.number, events=[EventOut.of(e) for e in record.events],
                   **record.summary())


class Page(BaseModel):
    items: list[HotfixOut]
    total: int
    page: int
    per_page: int


class Chain(BaseModel):
    ok: bool
    checked: int
    bad_seq: int | None
    problem: str | None
    head_seq: int
    head_hash: str


class Finding(BaseModel):
    record: str | None  # HF-N, or None for the project's index of records
    problem: str


class Integrity(BaseModel):
    ok: bool
    signed_records: int  # records the server's signed running head counts
    key_id: str | None
    public_key: str | None  # Ed25519, raw, base64
    problems: list[Finding]


class OpenIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    answers: dict[str, Any] | None = None
    kind: str | None = Field(default=None, max_length=32)


class TriageIn(BaseModel):
    answers: dict[str, Any]


class NoteIn(BaseModel):
    note: str = _TEXT


class TimeIn(BaseModel):
    duration: str = Field(min_length=1, max_length=32)
    note: str = _TEXT


class ActionIn(BaseModel):
    payload: dict[str, Any] = Field(default_factory=dict)
    override: str | None = Field(default=None, min_length=1, max_length=10_000)


class LifecycleOut(BaseModel):
    project_kind: str
    close_require: dict[str, list[str]]
    guards_enabled: dict[str, list[str]]
    approved_templates: list[str]


class ProjectOut(BaseModel):
    """What a client needs to read records as the server decides them."""

    name: str
    prefix: str
    approvals_required: dict[str, int]
    lifecycle: LifecycleOut
    approvers: list[str]  # who holds the record's approver role here (approver, admin)


class Me(BaseModel):
    email: str
    project: str
    roles: list[str]
    grants: dict[str, list[str]]
    via: str


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: str = Field(max_length=32)
    project: str = Field(default="*", max_length=64)
    expires: str | None = Field(default=None, max_length=16)
    label: str = Field(default="", max_length=200)


class TokenOut(BaseModel):
    id: int
    label: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


class UserOut(BaseModel):
    email: str
    grants: dict[str, list[str]]
    created_at: str
    tokens: list[TokenOut]


class Issued(BaseModel):
    email: str
    grants: dict[str, list[str]]
    token: str  # shown once
    token_id: int
    expires_at: str | None


class Revoked(BaseModel):
    email: str
    revoked: int
