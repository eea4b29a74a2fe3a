"""Two replicas on one PostgreSQL writing one record at once: every event kept, in order,
the chain intact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import postgres_schema_url
from tests.server.live import LiveServer, live_server

WRITES = 10  # per writer


@pytest.mark.postgres
def test_two_replicas_writing_one_record_keep_every_event(tmp_path: Path) -> None:
    for url in postgres_schema_url():
        with live_server(tmp_path / "a", url) as one, live_server(tmp_path / "b", url) as two:
            key = one.opened("engineer")
            writers = [(one, "engineer"), (two, "engineer"), (one, "approver"), (two, "admin")]
            with ThreadPoolExecutor(len(writers)) as pool:
                done = list(pool.map(_log_time, [w[0] for w in writers],
                                     [w[1] for w in writers], [key] * len(writers)))
            assert done == [WRITES] * len(writers)
            with two.client("viewer") as c:
                record = c.get(two.api(f"/{key}")).json()
                chain = c.get(two.api(f"/{key}/chain")).json()
            assert [e["seq"] for e in record["events"]] == list(range(1, 3 + len(writers) * WRITES))
            assert sum(e["kind"] == "time" for e in record["events"]) == len(writers) * WRITES
            assert chain["ok"] is True
            assert chain["head_seq"] == 2 + len(writers) * WRITES


def _log_time(live: LiveServer, role: str, key: str) -> int:
    ok = 0
    with live.client(role) as c:
        for n in range(WRITES):
            r = c.post(live.api(f"/{key}/time"), json={"duration": f"{n + 1}m"})
            assert r.status_code == 200, r.text
            ok += 1
    return ok
