"""``deploy --via flag:KEY``: a flag's percentage moved through the plan, judged per user.

The real store (SQLite in a test repo), the real rollout loop, real HTTP: an app
(tests/rollout_app/flag_app.py) exports its counters by variant in Prometheus text, each
request's variant evaluated from the flag the record serves at that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hotfix.domain.flags.evaluate import evaluate
from hotfix.domain.record.triage import parse_answers
from hotfix.domain.rollout.state import Status
from hotfix.errors import GuardRefused, UsageError
from hotfix.services.context import Context
from hotfix.services.flags.changes import kill, one, propose, set_flag
from hotfix.services.rollout import deploy
from hotfix.wiring import open_context
from tests.rollout_app.flag_app import FlagApp, serving
from tests.rollout_app.support import make_app_repo

REQ, APP = "dana@example.com", "lee@example.com"
ANSWERS = dict(parse_answers(["significant=yes", "users=60%", "workaround=no"]))
PLAN = [{"weight": 10, "min_requests": 50, "bake_seconds": 0.3},
        {"weight": 50, "min_requests": 50, "bake_seconds": 0.3},
        {"weight": 100}]
# wide tolerances: a harmless variant is shown within them after a few hundred users
SETTINGS = {"approvals.approvers": [APP], "rollout.steps": PLAN, "rollout.poll_seconds": 0.05,
            "rollout.max_wait_seconds": 3.0, "judge.alpha": 0.01, "judge.error_margin": 2.0,
            "judge.user_floor": 0.3}


def flag_record(ctx: Context, key: str = "new-checkout", **extra: Any) -> str:
    definition = {"key": key, "type": "boolean", "variants": {"on": True, "off": False},
                  "default": "off", **extra}
    record = propose(ctx.records, REQ, definition, "dark launch", ANSWERS).key
    ctx.records.act(record, "approve", APP, {})
    set_flag(ctx.records, APP, key, {}, "served dark")
    return record


PRO = [{"attribute": "plan", "op": "equals", "value": "pro", "variant": "on"}]


def plan_of(user: str) -> str:
    return "pro" if int(user.rsplit("-", 1)[-1]) % 4 == 0 else "free"


def evaluator(repo: Path, key: str, reasons: bool = False
              ) -> Callable[[], Callable[[str], str | tuple[str, str]]]:
    """What the app's OFREP calls return, read in the app's own thread from the record
    (``reasons``: the variant and the OFREP reason, for a context with a ``plan``)."""
    holder: dict[str, Context] = {}

    def now() -> Callable[[str], str | tuple[str, str]]:
        if "ctx" not in holder:
            holder["ctx"] = open_context(repo, {}, SETTINGS)
        flag = one(holder["ctx"].records, key).served
        assert flag is not None

        def served(user: str) -> str | tuple[str, str]:
            answer = evaluate(flag, {"targetingKey": user, "plan": plan_of(user)})
            return (str(answer.variant), answer.reason) if reasons else str(answer.variant)
        return served
    return now


@contextmanager
def world(tmp_path: Path, fail: dict[str, float], rules: list[dict[str, Any]] | None = None,
          reasons: bool = False, settings: dict[str, Any] | None = None, **app: Any
          ) -> Iterator[tuple[Context, str]]:
    repo = make_app_repo(tmp_path / "repo", {"v1.0.0": {}})
    flag = evaluator(repo, "new-checkout", reasons)
    with serving(FlagApp("new-checkout", flag, fail, **app)) as at:
        ctx = open_context(repo, {}, {**SETTINGS, **(settings or {}),
                                      "rollout.flag.targets": [at]})
        try:
            yield ctx, flag_record(ctx, **({"rules": rules} if rules else {}))
        finally:
            ctx.close()


def steps(ctx: Context, record: str) -> list[tuple[str, Any]]:
    return [(e.kind, e.payload["definition"]["split"] if "definition" in e.payload else None)
            for e in ctx.records.get(record).events if e.kind in (
                "deploy", "deploy_step", "promote", "rollback")]


def test_a_harmless_variant_is_promoted_to_100_percent(tmp_path: Path) -> None:
    slow = {"on": 0.1, "off": 0.1}  # both as slow: latency is judged, and no worse
    with world(tmp_path, {"on": 0.05, "off": 0.05}, slow=slow) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PROMOTED, out.reason
        assert (out.canary, out.baseline) == ("on", "off")
        assert one(ctx.records, "new-checkout").served.split == (("on", 100), ("off", 0))
        assert ctx.records.get(record).state.value == "completed"
        moved = [s for k, s in steps(ctx, record) if k == "deploy_step" and s]
        assert moved == [[["on", 10], ["off", 90]], [["on", 50], ["off", 50]],
                         [["on", 100], ["off", 0]]]
        assert [k for k, _ in steps(ctx, record)][-1] == "promote"
        verdict = out.verdict
        assert verdict["unit"] == "user"
        assert verdict["decision"] == "promote"
        counts = verdict["metrics"]["errors"]["counts"]
        assert counts["canary_users"] > 0
        assert counts["baseline_users"] > 0
        latency = verdict["metrics"]["latency"]["counts"]
        assert latency["canary_slow_users"] > 0
        assert latency["baseline_slow_users"] > 0
        assert "users slow not shown to regress" in verdict["reason"]
        history = [c.action for c in one(ctx.records, "new-checkout").history]
        assert history[-3:] == ["deploy_step"] * 3


def test_a_variant_failing_checkouts_is_set_to_0_percent(tmp_path: Path) -> None:
    with world(tmp_path, {"on": 0.2, "off": 0.0}) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.ROLLED_BACK, out.reason
        assert one(ctx.records, "new-checkout").served.split == (("on", 0), ("off", 100))
        assert ctx.records.get(record).state.value == "set"  # set again, deploy, or kill
        kinds = steps(ctx, record)
        assert kinds[-2:] == [("deploy_step", [["on", 0], ["off", 100]]), ("rollback", None)]
        assert "regression shown in users failing" in out.verdict["reason"]
        assert ctx.records.get(record).events[-1].payload["verdict"]["decision"] == "rollback"


def test_a_slow_variant_is_set_to_0_percent_on_latency(tmp_path: Path) -> None:
    """No failures at all, but half the requests of `on` are slower than the app's
    threshold (a twentieth of `off`'s): rolled back on the users slow."""
    slow = {"on": 0.5, "off": 0.05}
    with world(tmp_path, {"on": 0.0, "off": 0.0}, slow=slow) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.ROLLED_BACK, out.reason
        assert one(ctx.records, "new-checkout").served.split == (("on", 0), ("off", 100))
        assert ctx.records.get(record).state.value == "set"
        assert steps(ctx, record)[-2:] == [("deploy_step", [["on", 0], ["off", 100]]),
                                          ("rollback", None)]
        verdict = out.verdict
        assert verdict["reason"].startswith("regression shown in users slow: ")
        latency = verdict["metrics"]["latency"]
        assert latency["e_regression"] >= latency["threshold_regression"]
        assert latency["lower"] > 1.0
        assert verdict["metrics"]["errors"]["counts"]["canary_failed_users"] == 0
        assert ctx.records.get(record).events[-1].payload["verdict"]["decision"] == "rollback"


def test_no_slow_users_counter_is_no_latency_data_and_never_promotes(tmp_path: Path) -> None:
    with world(tmp_path, {"on": 0.05, "off": 0.05}, export_slow=False) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PAUSED
        assert out.verdict["decision"] == "inconclusive"
        assert "no latency data — no flag_slow_users_total by variant" in out.verdict["reason"]
        assert one(ctx.records, "new-checkout").served.split == (("on", 50), ("off", 50))


def test_latency_turned_off_promotes_on_users_failing_alone(tmp_path: Path) -> None:
    off = {"rollout.flag.slow_users": ""}
    with world(tmp_path, {"on": 0.05, "off": 0.05}, settings=off, export_slow=False) as (
            ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PROMOTED, out.reason
        assert set(out.verdict["metrics"]) == {"errors"}
        assert "latency not judged (rollout.flag.slow_users is empty)" in out.verdict["reason"]


def test_metrics_with_no_variant_label_are_no_data_and_never_promote(tmp_path: Path) -> None:
    with world(tmp_path, {"on": 0.0, "off": 0.0}, labelled=False) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PAUSED
        assert out.verdict["decision"] == "inconclusive"
        assert "no data" in out.verdict["reason"]
        assert "without a variant label" in out.verdict["reason"]
        assert one(ctx.records, "new-checkout").served.split == (("on", 10), ("off", 90))


def test_a_flag_with_rules_is_judged_on_the_users_its_split_serves(tmp_path: Path) -> None:
    # the rule's users fail often on `on`; counted with the split's, they would roll it back
    fail = {"on:TARGETING_MATCH": 0.5, "on:SPLIT": 0.05, "off": 0.05}
    with world(tmp_path, fail, rules=PRO, reasons=True) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PROMOTED, out.reason
        served = one(ctx.records, "new-checkout").served
        assert served.split == (("on", 100), ("off", 0))
        assert [r.to_dict() for r in served.rules] == PRO  # the rules kept matching


def test_a_flag_with_rules_whose_split_variant_fails_is_set_to_0_percent(
        tmp_path: Path) -> None:
    fail = {"on:TARGETING_MATCH": 0.0, "on:SPLIT": 0.3, "off": 0.0}
    with world(tmp_path, fail, rules=PRO, reasons=True) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.ROLLED_BACK, out.reason
        served = one(ctx.records, "new-checkout").served
        assert served.split == (("on", 0), ("off", 100))
        assert [r.to_dict() for r in served.rules] == PRO


def test_a_flag_with_rules_and_no_reason_label_is_no_data(tmp_path: Path) -> None:
    with world(tmp_path, {}, rules=PRO) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PAUSED
        assert "no data" in out.verdict["reason"]
        assert "`reason` label" in out.verdict["reason"]


def test_bad_input_is_refused_and_nothing_moves(tmp_path: Path) -> None:
    repo = make_app_repo(tmp_path / "repo", {"v1.0.0": {}})
    ctx = open_context(repo, {}, SETTINGS)
    try:
        three = propose(ctx.records, REQ, {
            "key": "colour", "type": "string", "variants": {"a": "a", "b": "b", "c": "c"},
            "default": "a", "split": [["b", 0], ["c", 10], ["a", 90]]}, "colours", ANSWERS).key
        ctx.records.act(three, "approve", APP, {})
        set_flag(ctx.records, APP, "colour", {}, "served")
        with pytest.raises(UsageError, match="split also serves c"):
            deploy.deploy(ctx, three, APP, via="flag:colour")
        assert one(ctx.records, "colour").served.split == (("b", 0), ("c", 10), ("a", 90))
        record = flag_record(ctx)
        with pytest.raises(UsageError, match="not flag 'other'"):
            deploy.deploy(ctx, record, APP, via="flag:other")
        with pytest.raises(UsageError, match="say which flag"):
            deploy.deploy(ctx, record, APP, via="new-checkout")
        with pytest.raises(UsageError, match="roll the flag out"):
            deploy.deploy(ctx, record, APP)
        assert ctx.records.get(record).state.value == "set"
        assert [c.action for c in one(ctx.records, "new-checkout").history][-1] == "set"
    finally:
        ctx.close()


def test_rolled_back_by_hand_and_a_completed_one_is_killed_instead(tmp_path: Path) -> None:
    with world(tmp_path, {"on": 0.05, "off": 0.05}) as (ctx, record):
        out = deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        assert out.status == Status.PROMOTED
        with pytest.raises(GuardRefused, match="completed"):
            deploy.rollback(ctx, record, APP)
        with pytest.raises(GuardRefused, match="completed"):
            deploy.deploy(ctx, record, APP, via="flag:new-checkout")
        kill(ctx.records, REQ, "new-checkout", "turned off after all")
        served = one(ctx.records, "new-checkout").served
        assert served is not None
        assert served.killed


def test_a_manual_rollback_mid_rollout_sets_0_percent(tmp_path: Path) -> None:
    slow = {**SETTINGS, "rollout.steps": [{"weight": 10, "bake_seconds": 60}, {"weight": 100}]}
    with world(tmp_path, {"on": 0.0, "off": 0.0}) as (ctx, record):
        ctx2 = open_context(ctx.root, {}, {**slow, "rollout.flag.targets": []})
        rollout = deploy.flag_rollout.start(ctx2, record, APP, "new-checkout",
                                            deploy.plan_of(ctx2))
        assert one(ctx.records, "new-checkout").served.split == (("on", 10), ("off", 90))
        state = ctx2.rollout.states.load(record)
        assert state is not None
        assert state.status == Status.RUNNING
        state.controller = (0, 0)  # its controller is gone
        ctx2.rollout.states.save(state)
        del rollout
        out = deploy.rollback(ctx, record, APP, "seen enough")
        assert out.status == Status.ROLLED_BACK
        assert one(ctx.records, "new-checkout").served.split == (("on", 0), ("off", 100))
        assert ctx.records.get(record).state.value == "set"
        ctx2.close()


def test_a_rollout_whose_controller_died_is_resumed_and_promoted(tmp_path: Path) -> None:
    with world(tmp_path, {"on": 0.05, "off": 0.05}) as (ctx, record):
        deploy.flag_rollout.start(ctx, record, APP, "new-checkout", deploy.plan_of(ctx))
        state = ctx.rollout.states.load(record)
        assert state is not None
        state.controller = (0, 0)  # the controller died after its first step
        ctx.rollout.states.save(state)
        assert deploy.interrupted(ctx, record)
        out = deploy.deploy(ctx, record, APP)  # a plain deploy resumes it: its state says how
        assert out.status == Status.PROMOTED, out.reason
        assert one(ctx.records, "new-checkout").served.split == (("on", 100), ("off", 0))


def test_a_kill_during_the_rollout_ends_it(tmp_path: Path) -> None:
    with world(tmp_path, {"on": 0.0, "off": 0.0}) as (ctx, record):
        rollout = deploy.flag_rollout.start(ctx, record, APP, "new-checkout",
                                            deploy.plan_of(ctx))
        kill(ctx.records, REQ, "new-checkout", "checkout errors", override="emergency")
        state = deploy.flag_rollout.run(ctx, rollout)
        assert state.status == Status.ROLLED_BACK
        assert state.reason == "the flag was killed"
        assert ctx.records.get(record).state.value == "killed"
