"""Every server test runs against a real uvicorn on loopback (SQLite; PostgreSQL too where
a test asks for ``pg_server``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import cli_mode, hotfix, team  # noqa: F401 - the CLI, for the client-mode tests
from tests.conftest import postgres_schema_url
from tests.server.live import LiveServer, live_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path / "server", f"sqlite:///{tmp_path / 'server.db'}") as live:
        yield live


@pytest.fixture(params=["sqlite", "postgres"])
def any_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
        with live_server(tmp_path / "server", url) as live:
            yield live
    else:
        for url in postgres_schema_url():
            with live_server(tmp_path / "server", url) as live:
                yield live
