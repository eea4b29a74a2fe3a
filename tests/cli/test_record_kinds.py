"""Record kinds through the CLI: shown by status and list, set by configuration, and every
refusal's hint names only commands and options that exist."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from hotfix.cli.main import app
from hotfix.domain.record.kinds import KINDS, OVERRIDE_OPTION
from tests.cli.conftest import Invoke, RecordsAt

pytestmark = pytest.mark.both_modes

REQ, APP = "dana@example.com", "lee@example.com"
ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]
# commands and options that next steps name before they exist; each with the issue noted
PLANNED = {
}
PLANNED_OPTIONS: dict[tuple[str, str], str] = {
}
STEP = re.compile(r"hotfix ([a-z][a-z_-]*)((?: [^ ;()]+)*)")


def config(repo: Path, text: str) -> None:
    (repo / "hotfix.toml").write_text(f'[approvals]\napprovers = ["{APP}"]\n{text}')


def commands() -> dict[str, Any]:
    group: Any = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="hotfix")
    return {name: (group.get_command(ctx, name), ctx) for name in group.list_commands(ctx)}


def test_status_and_list_show_the_kind(hotfix: Invoke, repo: Path) -> None:
    config(repo, "")
    hotfix("open", "Checkout returns 500", *ANSWERS, "--as", REQ)
    assert hotfix("status", "HF-1", "--json").json()["kind"] == "service"
    assert "kind       service" in hotfix("status", "HF-1").out
    assert [r["kind"] for r in hotfix("list", "--json").json()] == ["service"]
    assert re.search(r"HF-1\s+service\s+triaged", hotfix("list").out)


def test_a_library_project_s_hotfix_is_a_library_record(hotfix: Invoke, repo: Path,
                                                        hint: Callable[[str], str]) -> None:
    config(repo, '[project]\nkind = "library"\n')
    opened = hotfix("open", "parse() drops the last field", *ANSWERS, "--as", REQ, "--json")
    assert (opened.json()["kind"], opened.json()["next"]) == (
        "library", hint("hotfix approve HF-1 --as APPROVER"))


def test_close_refuses_without_the_required_documentation(hotfix: Invoke, repo: Path) -> None:
    config(repo, '[close.require]\nservice = ["root_cause", "follow_up"]\n')
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    hotfix("reject", "HF-1", "--as", APP)
    assert hotfix("close", "HF-1", "--as", REQ).code == 0  # nothing to document when rejected
    hotfix("open", "Another bug", *ANSWERS, "--as", REQ)
    refused = hotfix("close", "HF-2", "--override", "done elsewhere", "--as", APP)
    assert refused.code == 1
    assert "HF-2 cannot close: missing documentation: root_cause, follow_up" in refused.err
    assert 'hotfix document HF-2 --field root_cause="…" --field follow_up="…"' in refused.err
    kinds = [e["kind"] for e in hotfix("log", "HF-2", "--json").json()["events"]]
    assert "override" not in kinds


@pytest.mark.local_only  # through a server, its own settings decide: it refuses this at start
def test_a_lifecycle_setting_naming_an_unknown_kind_is_a_configuration_error(
        hotfix: Invoke, repo: Path) -> None:
    config(repo, '[close.require]\nservices = ["root_cause"]\n')
    hotfix("open", "Bug", "--as", REQ)
    result = hotfix("status", "HF-1", "--json")
    assert result.code == 2
    assert result.json()["message"].startswith("close.require: unknown record kind 'services'")


def test_commands_with_override_are_the_lifecycle_s_list() -> None:
    """A refusal mentions --override only for these; check's --override is the scope guard's."""
    with_option = {name for name, (command, ctx) in commands().items()
                   if any("--override" in p.opts for p in command.get_params(ctx))}
    assert with_option - {"check"} == OVERRIDE_OPTION


def test_every_next_step_names_a_command_that_exists_or_is_planned() -> None:
    known = set(commands())
    for kind in KINDS.values():
        for step in kind.next_steps.values():
            for name in re.findall(r"hotfix ([a-z][a-z_-]*)", step):
                assert name in known or name in PLANNED, (kind.name, step)


def test_every_option_a_next_step_names_exists_or_is_planned() -> None:
    found = commands()
    named = 0
    for kind in KINDS.values():
        for step in kind.next_steps.values():
            for match in STEP.finditer(step):
                if match.group(1) in PLANNED:
                    continue
                command, ctx = found[match.group(1)]
                words = match.group(2).split()
                if hasattr(command, "get_command") and words:  # a group: its subcommand's
                    sub = command.get_command(ctx, words[0])
                    assert sub is not None, (kind.name, step)
                    command, ctx = sub, click.Context(sub, info_name=words[0], parent=ctx)
                options = {o for p in command.get_params(ctx) for o in p.opts}
                for option in re.findall(r"--[a-z][a-z-]*", match.group(2)):
                    named += 1
                    assert option in options or (match.group(1), option) in PLANNED_OPTIONS, (
                        kind.name, step, option)
    assert named >= 4  # approve --as, defer --reason, rollback --to, deploy --via


def test_what_is_planned_does_not_exist_yet() -> None:
    """Once a planned command or option exists, it leaves the lists above."""
    found = commands()
    assert not set(PLANNED) & set(found)
    for (name, option), _ in PLANNED_OPTIONS.items():
        command, ctx = found[name]
        assert option not in {o for p in command.get_params(ctx) for o in p.opts}


MINOR = ["-a", "significant=no", "-a", "users=1%", "-a", "workaround=yes"]  # next release
ROLL_BACK_FIRST = [*ANSWERS, "-a", "caused_by_last_deploy=yes", "-a", "rollback_safe=yes"]


def test_log_shows_the_kind_and_each_triage_the_kind_it_decided(
        hotfix: Invoke, repo: Path) -> None:
    config(repo, "")
    hotfix("open", "Banner says the sale ends Dec 20", *ANSWERS, "-a", "change_kind=content",
           "-a", "template=banner-text", "--as", REQ)
    shown = hotfix("log", "HF-1")
    assert "kind       content" in shown.out
    assert "state      content" in shown.out
    assert "SEV2 → content (content record)" in shown.out
    data = hotfix("log", "HF-1", "--json").json()
    assert (data["kind"], data["state"]) == ("content", "content")
    assert data["events"][1]["payload"]["kind"] == "content"


def test_document_fills_what_close_requires_then_close_succeeds(
        hotfix: Invoke, repo: Path) -> None:
    config(repo, '[close.require]\nservice = ["root_cause", "follow_up"]\n')
    hotfix("open", "Typo in the footer", *MINOR, "--as", REQ)
    assert hotfix("status", "HF-1", "--json").json()["state"] == "deferred"
    assert hotfix("close", "HF-1", "--as", REQ).code == 1
    part = hotfix("document", "HF-1", "-f", "root_cause=copy never reviewed", "--as", REQ)
    assert part.code == 0, part.err
    assert "HF-1 documented: root_cause" in part.out
    assert "still missing before close: follow_up" in part.out
    refused = hotfix("close", "HF-1", "--as", REQ)
    assert refused.code == 1
    assert 'hint: hotfix document HF-1 --field follow_up="…"' in refused.err
    done = hotfix("document", "HF-1", "--field", "follow_up=spell-check the footer", "--as", REQ,
                  "--json").json()
    assert (done["missing"], done["documentation"]) == (
        [], {"root_cause": "copy never reviewed", "follow_up": "spell-check the footer"})
    assert hotfix("close", "HF-1", "--as", REQ, "--json").json()["state"] == "closed"


def test_document_usage_errors(hotfix: Invoke, repo: Path) -> None:
    config(repo, "")
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    bad = hotfix("document", "HF-1", "--field", "root cause", "--as", REQ)
    assert bad.code == 2
    assert "error: 'root cause' has no '=': write NAME=VALUE" in bad.err
    empty = hotfix("document", "HF-1", "--as", REQ)  # no fields and no $EDITOR
    assert empty.code == 2
    assert 'hint: pass them: hotfix document HF-1 --field root_cause="…"' in empty.err


def roll_back_and_verify(records: Any) -> None:
    """What the roll-back-first commands will record: production back on v1.0.0, verified."""
    for action, payload in (("rollback", {"to": "v1.0.0"}),
                            ("rollback", {"to": "v1.0.0", "done": True}),
                            ("verify", {"passed": True})):
        records.act("HF-1", action, APP, payload)


def test_defer_a_rolled_back_record_then_close_it(hotfix: Invoke, repo: Path,
                                                  records_at: RecordsAt) -> None:
    config(repo, "")
    opened = hotfix("open", "Login broke with the deploy", *ROLL_BACK_FIRST, "--as", REQ,
                    "--json").json()
    assert (opened["kind"], opened["route"]) == ("rollback", "rollback")
    hotfix("approve", "HF-1", "--as", APP)
    early = hotfix("defer", "HF-1", "--reason", "ships with 1.3.0", "--as", APP)
    assert early.code == 1
    assert "cannot defer HF-1: it is approved (allowed from: verified)" in early.err
    assert "hint: next step: hotfix rollback HF-1 --to vX.Y.Z" in early.err
    roll_back_and_verify(records_at(repo))
    assert hotfix("status", "HF-1", "--json").json()["next"] == (
        'fix forward: hotfix start HF-1; or hotfix defer HF-1 --reason "…"')
    deferred = hotfix("defer", "HF-1", "--reason", "ships with 1.3.0", "--as", APP, "--json")
    assert deferred.code == 0, deferred.err
    assert (deferred.json()["state"], deferred.json()["reason"]) == (
        "deferred", "ships with 1.3.0")
    assert hotfix("close", "HF-1", "--as", APP, "--json").json()["state"] == "closed"


def test_a_back_out_plan_names_an_existing_release(hotfix: Invoke, repo: Path) -> None:
    from tests.conftest import git

    config(repo, "[deploy]\nbackout_dry_start = false\n")  # the dry start: the rollout tests
    git(repo, "tag", "-a", "v1.0.0", "-m", "Release v1.0.0")
    hotfix("open", "Bug", *ANSWERS, "--as", REQ)
    missing = hotfix("backout", "HF-1", "--to", "v0.9.0", "--as", REQ)
    assert (missing.code, missing.err.splitlines()[0]) == (
        1, "error: v0.9.0 was never released: there is no tag v0.9.0")
    assert hotfix("backout", "HF-1", "--to", "main", "--as", REQ).code == 2
    plan = hotfix("backout", "HF-1", "--to", "v1.0.0", "--as", REQ, "--json")
    assert plan.code == 0, plan.err
    assert (plan.json()["to"], plan.json()["commit"]) == ("v1.0.0", git(repo, "rev-parse", "HEAD"))
    assert hotfix("log", "HF-1", "--json").json()["events"][-1]["kind"] == "backout"
