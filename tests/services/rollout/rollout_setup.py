"""A released hotfix in a repo of the tiny app, with a fast plan, for the deploy tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hotfix.adapters.deploy.local import free_port
from hotfix.adapters.rollout.loadgen import LoadReport, Req, run_load
from hotfix.config import render_toml_value
from hotfix.ports.record import Records
from hotfix.services.context import Context
from hotfix.services.rollout import production
from hotfix.wiring import open_context
from tests.rollout_app.support import COMMAND, make_app_repo

BOSS = "boss@example.com"
DEV = "dev@example.com"
FAST_PLAN = [{"weight": 25, "min_requests": 40, "bake_seconds": 1},
             {"weight": 50, "min_requests": 40, "bake_seconds": 1},
             {"weight": 100}]
# wide tolerances, so a good canary is shown within them after a few hundred requests; a
# small alpha, so that these tests roll a good canary back by chance once in 1000 runs at most
LENIENT = {"judge.alpha": 0.001, "judge.error_floor": 0.05, "judge.latency_tolerance": 1.0,
           "judge.error_margin": 2.0}


def settings(**extra: Any) -> dict[str, Any]:
    return {"approvals.approvers": [BOSS], "rollout.steps": FAST_PLAN,
            "rollout.max_wait_seconds": 30.0, "rollout.poll_seconds": 0.2,
            "rollout.instances": 1, "rollout.drain_seconds": 2.0,
            "rollout.listen": f"127.0.0.1:{free_port()}",
            "rollout.admin": f"127.0.0.1:{free_port()}", "rollout.local.command": COMMAND,
            "rollout.local.health_timeout": 5.0, **LENIENT, **extra}


def write_toml(root: Path, values: dict[str, Any]) -> None:
    """hotfix.toml holding ``values`` (dotted keys), one table per section."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        head, _, leaf = key.rpartition(".")
        sections.setdefault(head, []).append(f"{leaf} = {render_toml_value(value)}")
    text = "".join(f"[{head}]\n" + "\n".join(lines) + "\n\n" for head, lines in sections.items())
    (root / "hotfix.toml").write_text(text)


def released(tmp_path: Path, fix: Mapping[str, Any],
             records_at: Callable[[Path], Records] | None = None,
             **extra: Any) -> tuple[Context, str]:
    """A hotfix released as v1.0.1 (behaving as ``fix``) over v1.0.0 (healthy), on the
    context's own record; or, given ``records_at`` (the CLI suite's fixture: the team
    server's record in client mode), on the record it opens, the settings in hotfix.toml."""
    # 10 ms of work per request: a tiny CPU hiccup on a busy 2-core box is no regression
    repo = make_app_repo(tmp_path / "repo", {"v1.0.0": {"latency_ms": 10.0},
                                             "v1.0.1": {"latency_ms": 10.0, **fix}})
    values = settings(**extra)
    if records_at is None:
        ctx = open_context(repo, {}, values)
        records = ctx.records
    else:  # the CLI (and a team server) read the settings from the repository
        write_toml(repo, values)
        ctx = open_context(repo, {})
        records = records_at(repo)
    rec = records.open("checkout answers 500 for EU cards", DEV)
    records.act(rec.key, "release", BOSS,
                {"facts": {"tag": "v1.0.1", "base_tag": "v1.0.0"}}, override="test set-up")
    return ctx, rec.key


@contextmanager
def traffic(ctx: Context, rate: float = 250, seconds: float = 60) -> Iterator[LoadReport]:
    """Requests to production in a background thread until the block ends."""
    stop, report = threading.Event(), LoadReport()

    def go() -> None:
        got = run_load(f"http://{ctx.cfg.str('rollout.listen')}", rate=rate, seconds=seconds,
                       max_requests=int(rate * seconds), mix=[Req("GET", "/products")],
                       stop=stop)
        report.sent, report.statuses, report.failures = got.sent, got.statuses, got.failures

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    try:
        yield report
    finally:
        stop.set()
        thread.join(timeout=30)


@contextmanager
def cleanup(ctx: Context) -> Iterator[Context]:
    try:
        yield ctx
    finally:
        production.teardown(ctx)
        ctx.close()


def kinds(ctx: Context, key: str) -> list[str]:
    return [e.kind for e in ctx.records.get(key).events]
