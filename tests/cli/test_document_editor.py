"""``hotfix doc HF-N`` in ``$EDITOR``: a template of the fields, parsed back; an empty or
unchanged file records nothing; ``--show``. (close refusing while a required field is
empty: tests/cli/test_record_kinds.py.)

The editor is a small Python script: it keeps a copy of the template it was given and
writes what the test asks for."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke, RecordsAt

pytestmark = pytest.mark.both_modes

REQ, APP = "dana@example.com", "lee@example.com"
ANSWERS = ["-a", "significant=yes", "-a", "users=60%", "-a", "workaround=no"]
EDITOR = """import pathlib, sys
path = pathlib.Path(sys.argv[-1])
here = pathlib.Path(__file__).parent
text = path.read_text()
(here / "given.md").write_text(text)
how = (here / "how.json").read_text()
import json
how = json.loads(how)
for old, new in how.get("replace", []):
    text = text.replace(old, new)
if "write" in how:
    text = how["write"]
path.write_text(text)
sys.exit(how.get("exit", 0))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The editor's folder: how.json says what it does, given.md is what it was given."""
    folder = tmp_path / "editor"
    folder.mkdir()
    (folder / "edit.py").write_text(EDITOR)
    (folder / "how.json").write_text("{}")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {folder / 'edit.py'}")
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return folder


def does(editor: Path, **how: object) -> None:
    (editor / "how.json").write_text(json.dumps(how))


def opened(hotfix: Invoke, repo: Path, records: Any) -> None:
    (repo / "hotfix.toml").write_text(
        f'[approvals]\napprovers = ["{APP}"]\n'
        '[close.require]\nservice = ["root_cause", "customer_impact"]\n')
    assert hotfix("open", "Checkout <!channel> 500 for **EU** cards", *ANSWERS,
                  "--as", REQ).code == 0
    records.act("HF-1", "approve", APP, {"note": "go"})
    records.log_time("HF-1", REQ, "90m")


def recorded(records: Any) -> list[str]:
    return [e.kind for e in records.get("HF-1").events]


def test_the_editor_fills_the_fields_from_the_template(
        hotfix: Invoke, repo: Path, editor: Path, tmp_path: Path, records_at: RecordsAt) -> None:
    opened(hotfix, repo, records_at(repo))
    does(editor, replace=[
        ["## root_cause\n# required before close (close.require)\n\n",
         "## root_cause\n# required before close (close.require)\n\nthe cache key lacked "
         "the region\n### below: a Markdown heading of the text\nkept\n"],
        ["## customer_impact\n# required before close (close.require)\n\n",
         "## customer_impact\n\n35% of EU checkouts failed for 2h\n\n## follow_ups\n\n"
         "- alert on 500s\n"]])

    done = hotfix("doc", "HF-1", "--as", REQ, "--json")

    assert done.code == 0, done.err
    given = (editor / "given.md").read_text()
    assert given.startswith("# hotfix document HF-1: Checkout <!channel> 500 for **EU** cards\n")
    assert "\n## root_cause\n# required before close (close.require)\n\n" in given
    assert "\n## customer_impact\n# required before close (close.require)\n\n" in given
    assert "# Filled in by hotfix from the record (hotfix document --show):" in given
    assert "# tests: no checks run\n" in given
    assert "# canary: not deployed\n" in given
    assert "# time: wall " in given
    assert f"logged 1h30m ({REQ} 1h30m)" in given
    assert done.json()["documented"] == {
        "root_cause": "the cache key lacked the region\n### below: a Markdown heading of the "
                      "text\nkept",
        "customer_impact": "35% of EU checkouts failed for 2h",
        "follow_ups": "- alert on 500s"}
    assert done.json()["missing"] == []
    assert list((tmp_path / "tmp").iterdir()) == []  # the temp file is gone

    does(editor, replace=[["35% of EU checkouts failed for 2h", "36% of EU checkouts"]])
    again = hotfix("doc", "HF-1", "--as", REQ, "--json")
    assert again.json()["documented"] == {"customer_impact": "36% of EU checkouts"}
    assert "\n## follow_ups\n\n- alert on 500s\n" in (editor / "given.md").read_text()


@pytest.mark.parametrize(("how", "said"), [
    ({"write": ""}, "nothing recorded: the editor left the template empty"),
    ({"write": "# only comments\n\n"}, "nothing recorded: no field changed"),
    ({}, "nothing recorded: the editor left the template unchanged"),
])
def test_an_empty_or_unchanged_template_records_nothing(
        hotfix: Invoke, repo: Path, editor: Path, tmp_path: Path, how: dict[str, str],
        said: str, records_at: RecordsAt) -> None:
    opened(hotfix, repo, records_at(repo))
    before = recorded(records_at(repo))
    does(editor, **how)

    result = hotfix("document", "HF-1", "--as", REQ)

    assert result.code == 2
    assert f"error: {said}" in result.err
    assert recorded(records_at(repo)) == before
    if how.get("write") != "# only comments\n\n":
        assert list((tmp_path / "tmp").iterdir()) == []


def test_text_that_cannot_be_recorded_is_kept_in_its_file(
        hotfix: Invoke, repo: Path, editor: Path, tmp_path: Path, records_at: RecordsAt) -> None:
    opened(hotfix, repo, records_at(repo))
    before = recorded(records_at(repo))
    does(editor, replace=[["## root_cause\n", "## Root Cause\n\nmy careful words\n"]])

    result = hotfix("doc", "HF-1", "--as", REQ)

    assert result.code == 2
    assert "error: the edited template does not read: line " in result.err
    [kept] = (tmp_path / "tmp").iterdir()
    assert f"your text is kept in {kept}" in result.err.replace("\n", "")
    assert "my careful words" in kept.read_text()
    assert recorded(records_at(repo)) == before

    does(editor, replace=[["## customer_impact\n", "## tests\n\nall green\n"]])
    known = hotfix("doc", "HF-1", "--as", REQ)
    assert known.code == 2
    assert "error: 'tests' is filled in by hotfix from the record" in known.err


def test_an_editor_that_fails_records_nothing(
        hotfix: Invoke, repo: Path, editor: Path, records_at: RecordsAt) -> None:
    opened(hotfix, repo, records_at(repo))
    before = recorded(records_at(repo))
    does(editor, replace=[["## root_cause\n", "## root_cause\n\nhalf written\n"]], exit=1)
    result = hotfix("doc", "HF-1", "--as", REQ)
    assert result.code == 2
    assert "exited 1; nothing recorded" in result.err
    assert recorded(records_at(repo)) == before


def test_no_editor_says_to_pass_flags_or_set_editor(
        hotfix: Invoke, repo: Path, monkeypatch: pytest.MonkeyPatch, records_at: RecordsAt) -> None:
    opened(hotfix, repo, records_at(repo))
    monkeypatch.delenv("EDITOR", raising=False)
    result = hotfix("doc", "HF-1", "--as", REQ)
    assert result.code == 2
    assert "error: no fields given and $EDITOR is not set" in result.err
    assert 'hint: pass them: hotfix document HF-1 --field root_cause="…"; or set EDITOR' in \
        result.err


def test_show_lists_the_fields_what_is_missing_and_what_hotfix_knows(
        hotfix: Invoke, repo: Path, records_at: RecordsAt) -> None:
    opened(hotfix, repo, records_at(repo))
    hotfix("doc", "HF-1", "-f", "root_cause=a <b>stale</b> @here cache", "--as", REQ)

    shown = hotfix("doc", "HF-1", "--show", "--json").json()
    text = hotfix("document", "HF-1", "--show").out

    assert shown["required"] == ["root_cause", "customer_impact"]
    assert shown["missing"] == ["customer_impact"]
    assert shown["documentation"] == {"root_cause": "a <b>stale</b> @here cache"}
    assert list(shown["known"]) == ["tests", "canary", "verification", "ports", "time"]
    assert shown["known"]["verification"] == "not verified"
    assert shown["known"]["ports"] == "not ported yet"
    assert "root_cause       a <b>stale</b> @here cache (required)" in text
    assert "customer_impact  missing (required)" in text
    assert "still missing before close: customer_impact" in text
    assert recorded(records_at(repo)).count("document") == 1  # --show records nothing

