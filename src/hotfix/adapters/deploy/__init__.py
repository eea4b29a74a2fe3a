"""Deploy targets: where versions of the app run (local processes, the team's command)."""

from __future__ import annotations

from hotfix.errors import HotfixError


class UnhealthyInstance(HotfixError):
    """An instance failed its health check; it got no traffic and was stopped."""
