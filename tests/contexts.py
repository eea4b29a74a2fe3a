"""Contexts a test opened, closed after it by the autouse fixture in tests/conftest.py."""

from __future__ import annotations

from hotfix.services.context import Context

OPENED: list[Context] = []


def kept(ctx: Context) -> Context:
    """``ctx``, closed when the test ends."""
    OPENED.append(ctx)
    return ctx
