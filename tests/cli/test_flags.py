"""``hotfix flags``: flags proposed, approved, set, killed; every change on the record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke, RecordsAt

pytestmark = pytest.mark.both_modes

REQ, APP = "dana@example.com", "lee@example.com"
ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]


def config(repo: Path) -> None:
    (repo / "hotfix.toml").write_text(f'[approvals]\napprovers = ["{APP}"]\n')


Hint = Callable[[str], str]


def approved_flag(hotfix: Invoke, hint: Hint, key: str = "new-checkout") -> str:
    made = hotfix("flags", "create", key, "--reason", "dark launch of the new checkout",
                  *ANSWERS, "--as", REQ, "--json")
    assert made.code == 0, made.err
    record = made.json()["record"]
    assert (made.json()["state"], made.json()["next"]) == (
        "triaged", hint(f"hotfix approve {record} --as APPROVER"))
    assert hotfix("approve", record, "--as", APP).code == 0
    return str(record)


def test_create_approve_set_kill_and_the_history(hotfix: Invoke, repo: Path, hint: Hint) -> None:
    config(repo)
    record = approved_flag(hotfix, hint)
    listed = hotfix("flags", "list", "--json").json()
    assert [(f["key"], f["status"], f["served"]) for f in listed] == [
        ("new-checkout", "proposed", None)]
    shown = hotfix("flags", "set", "new-checkout", "--split", "on=10",
                   "--rule", 'plan in ["pro","team"] -> on', "--reason", "10 % first",
                   "--as", APP, "--json")
    assert shown.code == 0, shown.err
    served = shown.json()["served"]
    assert (served["split"], served["rules"][0]["value"]) == (
        [["on", 10], ["off", 90]], ["pro", "team"])
    assert hotfix("flags", "set", "new-checkout", "--split", "on=50", "--reason", "half",
                  "--as", APP).code == 0
    killed = hotfix("flags", "kill", "new-checkout", "--reason", "checkout errors",
                    "--as", REQ, "--json").json()
    assert (killed["status"], killed["served"]["split"], killed["record_state"]) == (
        "killed", [["on", 50], ["off", 50]], "killed")
    history = [(c["action"], c["actor"], c["reason"]) for c in killed["history"]]
    assert history == [("flag_proposed", REQ, "dark launch of the new checkout"),
                       ("set", APP, "10 % first"), ("set", APP, "half"),
                       ("kill", REQ, "checkout errors")]
    log = hotfix("log", record, "--json").json()
    assert [e["kind"] for e in log["events"]][-3:] == ["set", "set", "kill"]
    again = hotfix("flags", "kill", "new-checkout", "--reason", "twice", "--as", REQ)
    assert again.code == 1
    assert "is killed already" in again.err
    shown_text = hotfix("flags", "show", "new-checkout").out
    assert "split   on 50%, off 50%" in shown_text
    assert "kill by dana@example.com: checkout errors" in shown_text


def test_a_flag_is_set_only_once_approved(hotfix: Invoke, repo: Path, hint: Hint) -> None:
    config(repo)
    made = hotfix("flags", "create", "banner", "--reason", "r", *ANSWERS, "--as", REQ,
                  "--json").json()
    early = hotfix("flags", "set", "banner", "--reason", "now", "--as", REQ)
    assert early.code == 1
    assert f"cannot set {made['record']}" in early.err
    assert hotfix("flags", "list", "--json").json()[0]["served"] is None


def test_bad_input_changes_nothing(hotfix: Invoke, repo: Path, hint: Hint) -> None:
    config(repo)
    approved_flag(hotfix, hint)
    hotfix("flags", "set", "new-checkout", "--reason", "on", "--as", APP)
    before = hotfix("flags", "show", "new-checkout", "--json").json()
    for args, message in (
            (["--split", "on=120"], "percentage 120 is not a whole number from 0 to 100"),
            (["--split", "on=60", "--split", "off=30"], "sum to 90, not 100"),
            (["--split", "on=ten"], "'ten' is not a whole percentage"),
            (["--default", "maybe"], "the default 'maybe' is not a variant"),
            (["--rule", "plan like pro -> on"], "'like' is not a comparison"),
            (["--rule", "plan equals pro"], "cannot read the rule")):
        refused = hotfix("flags", "set", "new-checkout", *args, "--reason", "x", "--as", APP)
        assert refused.code == 2, (args, refused.out)
        assert message in refused.err, (args, refused.err)
    assert hotfix("flags", "show", "new-checkout", "--json").json() == before
    unknown = hotfix("flags", "set", "nope", "--reason", "x", "--as", APP)
    assert (unknown.code, "there is no flag 'nope'" in unknown.err) == (1, True)
    bad_type = hotfix("flags", "create", "colour", "--type", "string", "--variant", "a=1",
                      "--reason", "x", "--as", REQ)
    assert bad_type.code == 2
    assert "variant 'a' is 1, not a string" in bad_type.err
    assert hotfix("flags", "create", "x", "--as", REQ).code == 2  # no reason


def test_a_second_record_for_an_open_flag_is_refused_and_a_killed_flag_comes_back(
        hotfix: Invoke, repo: Path, hint: Hint) -> None:
    config(repo)
    approved_flag(hotfix, hint)
    twice = hotfix("flags", "create", "new-checkout", "--reason", "again", "--as", REQ)
    assert twice.code == 1
    assert "already has an open record" in twice.err
    hotfix("flags", "set", "new-checkout", "--reason", "on", "--as", APP)
    hotfix("flags", "kill", "new-checkout", "--reason", "broken", "--as", APP)
    record = approved_flag(hotfix, hint)
    back = hotfix("flags", "set", "new-checkout", "--default", "on", "--reason", "fixed",
                  "--as", APP, "--json").json()
    assert (back["status"], back["record"], back["served"]["default"]) == ("on", record, "on")


def test_kill_reaches_the_serving_record_while_a_new_proposal_waits(
        hotfix: Invoke, repo: Path, hint: Hint, records_at: RecordsAt) -> None:
    config(repo)
    first = approved_flag(hotfix, hint)
    hotfix("flags", "set", "new-checkout", "--default", "on", "--reason", "on", "--as", APP)
    records = records_at(repo)
    records.act(first, "deploy", APP, {})  # what the flag rollout will record
    records.act(first, "promote", APP, {})  # completed: a new change needs a new record
    pending = hotfix("flags", "create", "new-checkout", "--reason", "v2", "--as", REQ,
                     "--json").json()["record"]
    killed = hotfix("flags", "kill", "new-checkout", "--reason", "errors", "--as", REQ,
                    "--json")
    assert killed.code == 0, killed.err
    assert (killed.json()["status"], killed.json()["history"][-1]["record"]) == (
        "killed", first)
    assert pending != first


def test_deploy_via_flag_rolls_a_harmful_variant_back_to_0_percent(
        hotfix: Invoke, repo: Path, hint: Hint, records_at: RecordsAt) -> None:
    """``hotfix deploy HF-N --via flag:KEY`` end to end: the app's counters by variant over
    real HTTP, the judge counting users, the flag at 0 % and the exit code 1."""
    from hotfix.domain.flags.evaluate import evaluate
    from hotfix.services.flags.changes import one
    from tests.rollout_app.flag_app import FlagApp, serving

    records = records_at(repo)  # the repository's record, or the team server's

    def evaluator() -> Any:
        flag = one(records, "new-checkout").served
        assert flag is not None
        return lambda user: str(evaluate(flag, {"targetingKey": user}).variant)

    config(repo)
    record = approved_flag(hotfix, hint)
    assert hotfix("flags", "set", "new-checkout", "--split", "on=0", "--reason", "dark",
                  "--as", APP).code == 0
    with serving(FlagApp("new-checkout", evaluator, {"on": 0.3, "off": 0.0})) as at:
        with (repo / "hotfix.toml").open("a") as toml:
            toml.write(f'[rollout]\npoll_seconds = 0.05\nmax_wait_seconds = 5.0\n'
                       f'flag = {{ targets = ["{at}"] }}\n'
                       'steps = [{ weight = 20, min_requests = 50, bake_seconds = 0.3 },'
                       ' { weight = 100 }]\n')
        out = hotfix("deploy", record, "--via", "flag:new-checkout", "--as", APP, "--json")
    assert out.code == 1, out.err
    body = out.json()
    assert (body["status"], body["canary"], body["baseline"]) == ("rolled_back", "on", "off")
    assert body["verdict"]["unit"] == "user"
    shown = hotfix("flags", "show", "new-checkout", "--json").json()
    assert shown["served"]["split"] == [["on", 0], ["off", 100]]
    assert shown["record_state"] == "set"
    bad = hotfix("deploy", record, "--via", "new-checkout", "--as", APP)
    assert bad.code == 2
    assert "--via flag:KEY" in bad.err
