"""Record kinds through the CLI: shown by status and list, set by configuration, and every
refusal's hint names only commands and options that exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from hotfix.cli.main import app
from hotfix.domain.record.kinds import KINDS, OVERRIDE_OPTION
from tests.cli.conftest import Invoke

REQ, APP = "dana@example.com", "lee@example.com"
ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]
# commands that refusals name before they exist; each comes with the issue noted
PLANNED = {
    "publish": "a library's publish (the lead, with the git engine)",
    "document": "documentation fields (the lead; notifications-and-reports issue)",
    "defer": "deferring after a rollback (roll-back-first issue)",
    "backout": "a back-out plan (roll-back-first issue)",
    "content": "the marketers' content commands (content issue)",
    "flags": "feature flags (flags issue)",
}


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


def test_a_library_project_s_hotfix_is_a_library_record(hotfix: Invoke, repo: Path) -> None:
    config(repo, '[project]\nkind = "library"\n')
    opened = hotfix("open", "parse() drops the last field", *ANSWERS, "--as", REQ, "--json")
    assert (opened.json()["kind"], opened.json()["next"]) == (
        "library", "hotfix approve HF-1 --as APPROVER")


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
