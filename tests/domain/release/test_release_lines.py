from __future__ import annotations

from datetime import date

import pytest

from hotfix.domain.release.lines import ReleaseLine, ambiguous_latest, build_lines, support_of
from hotfix.domain.release.versions import DEFAULT_TAG_PATTERN, TagPattern, VersionSyntaxError

PATTERN = TagPattern.compile(DEFAULT_TAG_PATTERN)
BRANCHES = ["release/{line}", "{line}.x", "stable/{line}.x"]


def lines(tags: list[str], branches: list[str], matrix: dict[str, object] | None = None,
          default: bool = True) -> dict[str, ReleaseLine]:
    found = build_lines(tags, branches, pattern=PATTERN, branch_patterns=BRANCHES,
                        matrix=matrix or {}, support_default=default, today=date(2025, 6, 1))
    return {line.name: line for line in found}


def test_lines_from_tags_and_branches_sorted_numerically() -> None:
    found = lines(["v1.10.0", "v1.9.0", "v1.9.1", "v1.9.10", "v1.9.2", "junk", "v2.0.0-rc1"],
                  ["main", "release/1.9", "2.0.x", "remotes/origin/stable/3.1.x", "feature/x"])
    assert list(found) == ["1.9", "1.10", "2.0", "3.1"]
    nine = found["1.9"]
    assert nine.tags == ("v1.9.0", "v1.9.1", "v1.9.2", "v1.9.10")
    assert nine.latest_tag == "v1.9.10"
    assert nine.tip == "release/1.9"
    assert found["1.10"].tip == "v1.10.0"
    assert found["2.0"].latest_tag is None
    assert found["3.1"].branch == "origin/stable/3.1.x"


def test_local_branch_wins_over_remote_tracking() -> None:
    found = lines(["v1.0.0"], ["remotes/origin/release/1.0", "release/1.0"])
    assert found["1.0"].branch == "release/1.0"


def test_support_matrix() -> None:
    today = date(2025, 6, 1)
    assert support_of("1.0", {"1.0": False}, True, today).supported is False
    assert support_of("1.1", {"1.1": "2025-06-01"}, False, today).supported is True
    assert support_of("1.1", {"1.1": date(2025, 5, 31)}, True, today).supported is False
    assert support_of("1.1", {"1.1": "2025-05-31"}, True, today).until == "2025-05-31"
    assert support_of("9.9", {}, False, today).supported is False
    with pytest.raises(VersionSyntaxError, match="YYYY-MM-DD"):
        support_of("1.1", {"1.1": "soon"}, True, today)


def test_ambiguous_latest_tag_is_detected_only_on_different_commits() -> None:
    found = build_lines(["v1.1.0", "1.1.0"], [], pattern=PATTERN, branch_patterns=BRANCHES,
                        matrix={}, support_default=True, today=date(2025, 1, 1))
    line = found[0]
    assert ambiguous_latest({"v1.1.0": "a", "1.1.0": "b"}, line, PATTERN) == ["1.1.0", "v1.1.0"]
    assert ambiguous_latest({"v1.1.0": "a", "1.1.0": "a"}, line, PATTERN) == []
