"""Hints for someone signed in to the team server name a role, never ``--as``."""

from __future__ import annotations

import pytest

from hotfix.domain.record.actors import signed_in


@pytest.mark.parametrize(("given", "said"), [
    ("hotfix approve HF-1 --as APPROVER", "hotfix approve HF-1 (signed in as an approver)"),
    ("another person approves: hotfix approve HF-2 --as OTHER@EXAMPLE.COM",
     "another person approves: hotfix approve HF-2 (signed in as another person)"),
    ('an approver forces it: add --override "why" --as ENGINEER',
     'an approver forces it: add --override "why" (signed in as an engineer)'),
    ("hotfix rollback HF-3 --to v1.0.0 --as lee@shop.example",
     "hotfix rollback HF-3 --to v1.0.0 (signed in as lee@shop.example)"),
    ("drop --as; to act as someone else, sign in as them", "drop --as; to act as someone "
     "else, sign in as them"),
    ("hotfix start HF-1", "hotfix start HF-1"),
])
def test_signed_in_hints(given: str, said: str) -> None:
    assert signed_in(given) == said
