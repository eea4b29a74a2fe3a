"""Template pre-approval, pure: the digest an approval pins, who may approve, and which
templates the approvals make usable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from hotfix.domain.content.approval import (
    TemplateApproval,
    approved_by,
    authors_of,
    refusal,
)
from hotfix.domain.content.catalog import catalog_from, template_digest, with_approvals

ENG, LEAD, CI, MKT = ("eng@shop.example", "lead@shop.example", "ci@shop.example",
                      "mia@shop.example")
AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PROMO: dict[str, Any] = {"zone": "banner", "author": ENG,
                         "slots": {"headline": {"type": "text", "max_length": 40}}}


def body(promo: Any = None, zone: Any = None) -> dict[str, Any]:
    return {"zones": {"banner": zone or {"paths": ["/"]}, "footer": {"paths": ["/"]}},
            "templates": {"promo": promo or PROMO,
                          "legal": {"zone": "footer", "slots": {"text": {"type": "text"}}}}}


def approval(digest: str, by: str = LEAD, authors: tuple[str, ...] = (ENG,)) -> TemplateApproval:
    return TemplateApproval("promo", digest, by, AT, "HF-1", authors)


def test_the_digest_covers_the_template_and_its_zone_only() -> None:
    first = template_digest(body(), "promo")
    assert template_digest(body(), "promo") == first
    assert catalog_from(body()).templates["promo"].digest == first
    edited = {**PROMO, "slots": {"headline": {"type": "text", "max_length": 400}}}
    assert template_digest(body(promo=edited), "promo") != first
    assert template_digest(body(zone={"paths": ["/", "/sale"]}), "promo") != first
    other = {**body(), "templates": {**body()["templates"], "legal": {
        "zone": "footer", "slots": {"text": {"type": "text", "max_length": 9}}}}}
    assert template_digest(other, "promo") == first  # another template's edit: still pinned


def test_an_approval_makes_only_the_digest_it_pinned_usable() -> None:
    catalog = catalog_from(body())
    pinned = approval(catalog.templates["promo"].digest)
    assert approved_by(catalog, [pinned]) == {"promo": LEAD}
    usable = with_approvals(catalog, approved_by(catalog, [pinned])).templates
    assert (usable["promo"].approved, usable["promo"].approved_by) == (True, LEAD)
    assert usable["legal"].approved is False
    edited = catalog_from(body(promo={**PROMO, "slots": {"headline": {"type": "text"}}}))
    assert approved_by(edited, [pinned]) == {}  # edited after approval: approve it again


@pytest.mark.parametrize("pinned", [
    approval("", by=LEAD),  # no digest
    approval("x", by=f" {ENG.upper()} "),  # its author (digest replaced below)
    approval("x", by=CI, authors=(ENG, CI)),  # who synced it
], ids=["no-digest", "author", "syncer"])
def test_an_approval_by_an_author_or_of_no_digest_counts_for_nothing(
        pinned: TemplateApproval) -> None:
    catalog = catalog_from(body())
    digest = catalog.templates["promo"].digest if pinned.digest else ""
    given = TemplateApproval(pinned.template, digest, pinned.by, AT, "HF-1", pinned.authors)
    assert approved_by(catalog, [given]) == {}


def test_its_authors_are_its_file_author_and_who_synced_it_as_it_is() -> None:
    promo = catalog_from(body()).templates["promo"]
    edited = body(promo={**PROMO, "slots": {"headline": {"type": "text"}}})
    synced = [(edited, "old@shop.example"), (body(), CI), (body(), "Lead@Shop.example"),
              ({"zones": {}, "templates": {}}, "x@shop.example")]
    assert authors_of(promo, synced) == [CI, ENG, LEAD]


@pytest.mark.parametrize(("actor", "given", "approvers", "says", "stale"), [
    (ENG, "full", (), "is an author of template 'promo'", False),
    (CI, "full", (), "is an author of template 'promo'", False),
    (MKT, "full", (LEAD,), "is not an approver", False),
    (LEAD, "0" * 64, (LEAD,), "changed since you looked", True),
    (LEAD, "short", (), "changed since you looked", True),  # 11 digits name nothing
    (LEAD, "", (), "changed since you looked", True),
])
def test_who_may_not_approve_and_a_stale_digest_are_refused_with_the_reason(
        actor: str, given: str, approvers: tuple[str, ...], says: str, stale: bool) -> None:
    promo = catalog_from(body()).templates["promo"]
    seen = {"full": promo.digest, "short": promo.digest[:11]}.get(given, given)
    refused = refusal(promo, actor, seen, [CI, ENG], approvers)
    assert refused is not None
    assert says in refused.message
    assert refused.stale is stale


@pytest.mark.parametrize("approvers", [(), (LEAD,)])
def test_an_approver_not_among_its_authors_approves_what_they_saw(
        approvers: tuple[str, ...]) -> None:
    promo = catalog_from(body()).templates["promo"]
    assert refusal(promo, LEAD, promo.digest, [CI, ENG], approvers) is None
    assert refusal(promo, LEAD, promo.digest[:12].upper(), [CI, ENG], approvers) is None
