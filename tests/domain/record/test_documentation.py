"""``NAME=VALUE`` documentation fields, as ``hotfix document --field`` gives them."""

from __future__ import annotations

import pytest

from hotfix.domain.record.documentation import UnreadableField, parse_fields


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
