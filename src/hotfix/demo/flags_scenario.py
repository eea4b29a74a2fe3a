"""``hotfix demo --scenario flags``: two flags of the sample shop rolled out by the judge.

A team server (``hotfix serve``'s app, in this process, on loopback and SQLite) serves the
flags over OFREP; the shop (``demo/flag_shop.py``, stdlib only) evaluates them on every
checkout with a plain HTTP call and exports its counters by variant; traffic from users,
a few of them heavy, flows while ``deploy --via flag:KEY`` moves each flag's percentage:

- ``fixed-checkout`` turns the fixed code path on (EU cards no longer get a 500): the judge
  promotes it to 100 %;
- ``rate-service`` turns on a rate service that fails one checkout in 30: the judge sets it
  to 0 % within seconds;
- ``pricing-v2`` recomputes prices on every checkout, 300 ms more each, failing none: the
  judge sets it to 0 % for latency, on the users whose first checkout slower than
  ``SLOW_MS`` came on each variant (the shop's ``flag_slow_users_total``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from hotfix.demo.sample import APPROVER, ENGINEER, init_sample_repo
from hotfix.demo.team import shop as shop_at
from hotfix.demo.team import signed_in, team_server
from hotfix.demo.walkthrough import Step, render_settings
from hotfix.services.context import Context
from hotfix.services.flags import changes
from hotfix.services.rollout import deploy

ANSWERS = {"significant": "yes", "users_affected": "60%", "workaround": "no"}
BOOL = {"type": "boolean", "variants": {"on": True, "off": False}, "default": "off"}
SLOW_MS = 250  # the shop's threshold: a checkout slower than this makes its user slow
FLAGS = (("fixed-checkout", "the fix for 500s on EU cards, shipped dark"),
         ("rate-service", "the new rate service, shipped dark"),
         ("pricing-v2", "prices recomputed on every checkout, shipped dark"))


def settings(shop: str) -> dict[str, Any]:
    return {
        "approvals.approvers": [APPROVER],
        "rollout.steps": [{"weight": 10, "min_requests": 30, "bake_seconds": 3},
                          {"weight": 50, "min_requests": 30, "bake_seconds": 3},
                          {"weight": 100}],
        "rollout.max_wait_seconds": 90.0,
        "rollout.poll_seconds": 0.5,
        "rollout.flag.targets": [shop],
    }


def run_flags_demo(workdir: Path, environ: dict[str, str]) -> Iterator[Step]:
    with ExitStack() as stack:
        url, tokens, key = stack.enter_context(_team_server(workdir / "server"))
        shop = stack.enter_context(shop_at("hotfix.demo.flag_shop", "--ofrep", url, "--key", key,
                                           "--slow-ms", str(SLOW_MS)))
        yield Step("A team server serves the flags over OFREP; the shop evaluates them on "
                   "every checkout (plain HTTP) and exports its counters by variant", [
                       f"server {url}, client key {key[:8]}…", f"shop http://{shop}/checkout",
                       "users: 300, a few heavy ones; every third pays with an EU card",
                       f"a user is slow at their first checkout over {SLOW_MS} ms"])
        root = workdir / "shop"
        init_sample_repo(root)
        (root / "hotfix.toml").write_text(render_settings(settings(shop)), encoding="utf-8")
        env = {k: v for k, v in environ.items() if not k.startswith("HOTFIX_")}
        engineer = stack.enter_context(signed_in(root, env, url, tokens["engineer"]))
        approver = stack.enter_context(signed_in(root, env, url, tokens["approver"]))
        stack.enter_context(_traffic(shop))
        for flag, why in FLAGS:
            yield _serve(engineer, approver, flag, why)
            yield _roll_out(engineer, flag)


def _serve(engineer: Context, approver: Context, flag: str, why: str) -> Step:
    made = changes.propose(engineer.records, ENGINEER, {"key": flag, **BOOL}, why, ANSWERS)
    approver.records.act(made.key, "approve", APPROVER, {"note": "dark launch"})
    changes.set_flag(engineer.records, ENGINEER, flag, {"split": [["on", 0], ["off", 100]]},
                     "ready, dark")
    return Step(f"hotfix flags create {flag}; approve {made.key}; "
                f"flags set {flag} --split on=0", [f"{made.key}: {why}; served at 0 %"])


def _roll_out(ctx: Context, flag: str) -> Step:
    record = changes.one(ctx.records, flag).record
    assert record is not None
    started = time.monotonic()
    out = deploy.deploy(ctx, record, ENGINEER, via=f"flag:{flag}")
    metrics = out.verdict.get("metrics", {})
    counts = metrics.get("errors", {}).get("counts", {})
    slow = metrics.get("latency", {}).get("counts", {})
    served = changes.one(ctx.records, flag).served
    split = ", ".join(f"{v} {w} %" for v, w in served.split) if served else "?"
    return Step(f"hotfix deploy {record} --via flag:{flag}", [
        f"{out.status}: {out.reason}",
        f"judge: {out.verdict.get('reason', '')}",
        f"users on / off: {counts.get('canary_users', 0):.0f} / "
        f"{counts.get('baseline_users', 0):.0f}, failed: "
        f"{counts.get('canary_failed_users', 0):.0f} / "
        f"{counts.get('baseline_failed_users', 0):.0f}",
        f"slow (a checkout over {SLOW_MS} ms): {slow.get('canary_slow_users', 0):.0f} / "
        f"{slow.get('baseline_slow_users', 0):.0f}",
        f"the flag now serves: {split} (after {time.monotonic() - started:.0f} s)"])


@contextmanager
def _team_server(directory: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    from hotfix.services.flags.client_keys import create_key

    directory.mkdir(parents=True)
    (directory / "hotfix.toml").write_text("")
    env = {"HOTFIX_DATABASE_URL": f"sqlite:///{directory / 'server.db'}"}
    with team_server(directory, env, {ENGINEER: "engineer", APPROVER: "approver"}) as team:
        key = create_key(team.parts.identities, "default", "shop", ENGINEER,
                         team.parts.clock.now()).secret
        yield team.url, {"engineer": team.tokens[ENGINEER],
                         "approver": team.tokens[APPROVER]}, key


@contextmanager
def _traffic(shop: str, users: int = 300) -> Iterator[None]:
    """Checkouts until the block ends: user i makes requests ∝ 1/(i+1) (a few heavy)."""
    import random

    stop = threading.Event()
    weights = [1 / (i + 1) for i in range(users)]

    def go(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=f"http://{shop}", timeout=10, trust_env=False) as http:
            while not stop.is_set():
                user = rng.choices(range(users), weights)[0]
                try:
                    http.get("/checkout", params={"user": f"user-{user}"})
                except httpx.HTTPError:
                    time.sleep(0.1)

    threads = [threading.Thread(target=go, args=(seed,), daemon=True) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(15)
