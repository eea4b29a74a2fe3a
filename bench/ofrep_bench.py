"""OFREP evaluation throughput: single and bulk evaluations per second from a real server.

A ``hotfix serve`` app under uvicorn on loopback (tests/server/live.py) on SQLite, with
FLAGS boolean flags (a rule and a 30 % split each) and RECORDS other hotfixes on the same
record (every evaluation derives the flags from the project's records). One client, keep-
alive, for SECONDS per case. The peer is ``GET /healthz`` on the same server: the floor
of one HTTP round trip through FastAPI, so the ratio is what evaluating costs beyond it.
Then the time from ``hotfix flags kill`` returning to an evaluation answering DISABLED, and
the time from a flag rollout's rollback decision (the judge's: ``FlagRouter.apply`` of 0 %,
what ``Rollout.rollback`` does first) to every one of USERS users who had the new variant
answering the off variant on their next evaluation.

    python bench/ofrep_bench.py [--quick] [--records 200] [--flags 10] [--seconds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.server.live import ANSWERS, email, live_server  # noqa: E402

from hotfix.ports import Split  # noqa: E402
from hotfix.server.state import ServerState  # noqa: E402
from hotfix.services.flags import changes  # noqa: E402
from hotfix.services.flags.client_keys import create_key  # noqa: E402
from hotfix.services.rollout.flag_rollout import FlagRouter  # noqa: E402

BOOL = {"type": "boolean", "variants": {"on": True, "off": False}, "default": "off"}


def rate(http: httpx.Client, seconds: float, method: str, path: str,
         body: dict[str, object] | None = None) -> float:
    done, until = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < until:
        response = http.request(method, path, json=body)
        assert response.status_code == 200, response.text
        done += 1
    return done / (time.perf_counter() - started)


def rolled_back(http: httpx.Client, records: Any, users: int) -> tuple[float, float, float]:
    """Seconds from the rollback decision to 0 % written, to the first evaluation answering
    off; and the slowest evaluation of ``users`` users (all of whom had ``on``), every one
    started after the decision and answering off."""
    made = changes.propose(records, email("engineer"), {"key": "rollout-0", **BOOL}, "bench",
                           ANSWERS)
    records.act(made.key, "approve", email("approver"), {"note": "ok"})
    changes.set_flag(records, email("engineer"), "rollout-0", {}, "bench")
    records.act(made.key, "deploy", email("engineer"), {"via": "flag:rollout-0"})
    router = FlagRouter(records, made.key, "rollout-0", email("engineer"))
    router.apply(Split({}, {"on": 50.0}))
    on: list[str] = []
    for i in range(users * 4):
        if len(on) < users and variant(http, f"user-{i}") == "on":
            on.append(f"user-{i}")
    started = time.perf_counter()
    router.apply(Split({}, {"on": 0.0}))
    written = time.perf_counter() - started
    answers, slowest = [], 0.0
    for user in on:
        began = time.perf_counter()
        answers.append(variant(http, user))
        slowest = max(slowest, time.perf_counter() - began)
        if len(answers) == 1:
            first = time.perf_counter() - started
    assert len(on) == users, len(on)
    assert set(answers) == {"off"}, answers
    return written, first, slowest


def variant(http: httpx.Client, user: str) -> str:
    body = {"context": {"targetingKey": user}}
    return str(http.post("/ofrep/v1/evaluate/flags/rollout-0", json=body).json()["variant"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--records", type=int)
    parser.add_argument("--flags", type=int, default=10)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    records_n = args.records if args.records is not None else (20 if args.quick else 200)
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    with tempfile.TemporaryDirectory() as tmp, \
            live_server(Path(tmp) / "server", f"sqlite:///{tmp}/bench.db") as live:
        records = ServerState(live.settings, live.parts).records("default")
        for i in range(records_n):
            records.open(f"Bug {i}", email("engineer"), ANSWERS)
        for i in range(args.flags):
            made = changes.propose(records, email("engineer"), {"key": f"flag-{i}", **BOOL},
                                   "bench", ANSWERS)
            records.act(made.key, "approve", email("approver"), {"note": "ok"})
            changes.set_flag(records, email("engineer"), f"flag-{i}", {
                "rules": [{"attribute": "plan", "op": "equals", "value": "pro",
                           "variant": "on"}],
                "split": [["on", 30], ["off", 70]]}, "bench")
        key = create_key(live.parts.identities, "default", "bench", "bench",
                         live.parts.clock.now()).secret
        body = {"context": {"targetingKey": "user-1", "plan": "free"}}
        with httpx.Client(base_url=live.url, timeout=30,
                          headers={"Authorization": f"Bearer {key}"}) as http:
            peer = rate(http, seconds, "GET", "/healthz")
            single = rate(http, seconds, "POST", "/ofrep/v1/evaluate/flags/flag-0", body)
            bulk = rate(http, seconds, "POST", "/ofrep/v1/evaluate/flags", body)
            started = time.perf_counter()
            changes.kill(records, email("engineer"), "flag-0", "bench")
            off = http.post("/ofrep/v1/evaluate/flags/flag-0", json=body).json()
            kill_to_off = time.perf_counter() - started
            written, first, slowest = rolled_back(http, records, args.users)
        assert off["reason"] == "DISABLED", off
    print(f"records {records_n} + {args.flags} flags, {seconds:g} s per case, one client")
    print(f"GET /healthz (peer)        {peer:8.0f} req/s")
    print(f"single evaluation          {single:8.0f} evals/s   {single / peer:5.2f}x the peer")
    print(f"bulk evaluation ({args.flags} flags) {bulk:8.0f} req/s     {bulk / peer:5.2f}x the "
          f"peer  ({bulk * args.flags:.0f} flag evaluations/s)")
    print(f"kill → next evaluation DISABLED: {kill_to_off * 1000:.0f} ms (target < 1000 ms)")
    print(f"flag rollout's rollback decision → 0 % on the record {written * 1000:.0f} ms, "
          f"→ next evaluation off {first * 1000:.0f} ms (target < 1000 ms); all "
          f"{args.users} users who had on answered off, the slowest evaluation "
          f"{slowest * 1000:.0f} ms, so every new evaluation is off within "
          f"{(written + slowest) * 1000:.0f} ms of the decision")


if __name__ == "__main__":
    main()
