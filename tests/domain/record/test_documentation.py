"""Documentation fields: ``NAME=VALUE`` as ``hotfix document --field`` gives them, and the
editor's template, written and read back."""

from __future__ import annotations

import pytest

from hotfix.domain.record.documentation import (
    KNOWN,
    SUGGESTED,
    UnreadableField,
    parse_fields,
    parse_template,
    render_template,
)
from hotfix.domain.record.lifecycle_settings import LifecycleSettingsError, lifecycle_settings


def test_fields_parse_and_a_later_value_wins() -> None:
    items = ["root_cause=a cache key without the region", "follow_up=", "root_cause=region"]
    assert parse_fields(items) == {"root_cause": "region", "follow_up": ""}


def test_a_value_may_hold_an_equals_sign_and_the_name_may_be_padded() -> None:
    assert parse_fields([" fix = x=1 "]) == {"fix": " x=1 "}


@pytest.mark.parametrize(("item", "message"), [
    ("root_cause", "'root_cause' has no '=': write NAME=VALUE"),
    ("Root Cause=x", "'Root Cause' is not a field name (lower case letters, digits and _, "
                     "starting with a letter, e.g. root_cause)"),
    ("=x", "'' is not a field name"),
    ("1st=x", "'1st' is not a field name"),
])
def test_unreadable_fields_say_why(item: str, message: str) -> None:
    with pytest.raises(UnreadableField) as caught:
        parse_fields([item])
    assert str(caught.value).startswith(message)


KNOWN_NOW = {"tests": "1 check(s); the last passed", "time": "wall 2h\nlogged none"}


def test_the_template_has_a_heading_per_field_and_what_is_known_as_comments() -> None:
    text = render_template("HF-3", "Checkout\n500", ["root_cause", "customer_impact"],
                           {"root_cause": "a stale cache\n\nsecond paragraph", "extra": "x"},
                           KNOWN_NOW)
    assert text.startswith("# hotfix document HF-3: Checkout 500\n#\n")
    body = text.split("records nothing.\n\n", 1)[1]
    assert body == (
        "## root_cause\n# required before close (close.require)\n\na stale cache\n\n"
        "second paragraph\n\n"
        "## customer_impact\n# required before close (close.require)\n\n\n"
        "## extra\n\nx\n\n"
        "# Filled in by hotfix from the record (hotfix document --show):\n#\n"
        "# tests: 1 check(s); the last passed\n# time: wall 2h logged none\n")
    assert parse_template(text) == {"root_cause": "a stale cache\n\nsecond paragraph",
                                    "customer_impact": "", "extra": "x"}


def test_without_any_field_the_template_suggests_the_usual_ones() -> None:
    fields = parse_template(render_template("HF-1", "t", [], {}, {}))
    assert list(fields) == list(SUGGESTED)
    assert set(fields.values()) == {""}


def test_an_edited_template_reads_back_markdown_and_all() -> None:
    edited = ("# comment\n## root_cause\n\n### a Markdown heading is text\n#hashtag too\n"
              "- item\n\n## follow_ups\n# said twice? no: a comment\n- one\n- two\n\n")
    assert parse_template(edited) == {
        "root_cause": "### a Markdown heading is text\n#hashtag too\n- item",
        "follow_ups": "- one\n- two"}


@pytest.mark.parametrize(("edited", "message"), [
    ("stray words\n## root_cause\nx\n", "line 1: text above the first '## name' heading"),
    ("## Root_Cause\nx\n", "line 1: 'Root_Cause' is not a field name"),
    ("## fix\na\n## fix\nb\n", "line 3: the field fix is there twice"),
])
def test_an_unreadable_template_says_which_line(edited: str, message: str) -> None:
    with pytest.raises(UnreadableField) as caught:
        parse_template(edited)
    assert str(caught.value).startswith(message)


def test_close_require_cannot_name_a_field_hotfix_fills_in() -> None:
    with pytest.raises(LifecycleSettingsError, match="'ports' is filled in by hotfix itself"):
        lifecycle_settings("service", {"service": ["root_cause", "ports"]}, {})
    assert set(KNOWN) == {"tests", "canary", "verification", "ports", "time"}
