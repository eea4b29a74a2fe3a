"""docs/server.md shows the role table the code enforces."""

from __future__ import annotations

from pathlib import Path

from hotfix.domain.identity.access import permissions_table

DOC = Path(__file__).parents[2] / "docs" / "server.md"


def test_the_docs_show_the_permissions_table() -> None:
    assert permissions_table() in DOC.read_text()
