from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.release.versions import (
    DEFAULT_TAG_PATTERN,
    TagPattern,
    Version,
    VersionSyntaxError,
    next_patch,
    parse_line,
    scheme_step,
)

PATTERN = TagPattern.compile(DEFAULT_TAG_PATTERN)
numbers = st.integers(min_value=0, max_value=10_000)
versions = st.builds(Version, numbers, numbers, numbers)


@pytest.mark.parametrize(("tag", "expected"), [
    ("v1.2.3", Version(1, 2, 3)),
    ("1.2.3", Version(1, 2, 3)),
    ("v10.0.12", Version(10, 0, 12)),
    ("v1.2", Version(1, 2, 0)),  # two-part
    ("24.1", Version(24, 1, 0)),
    ("2024.10", Version(2024, 10, 0)),  # calendar
    ("v1.2.3-rc1", Version(1, 2, 3, "-rc1")),  # a pre-release of 1.2.3
    ("2.0.0rc2", Version(2, 0, 0, "rc2")),
    ("release-1.2.3", None),
    ("v1.2.3.4", None),
    ("v01.2.3", None),
])
def test_default_pattern_parses_release_tags_only(tag: str, expected: Version | None) -> None:
    assert PATTERN.parse(tag) == expected


def test_custom_pattern_needs_the_named_groups() -> None:
    with pytest.raises(VersionSyntaxError, match="minor"):
        TagPattern.compile(r"^r(?P<major>\d+)$")
    two = TagPattern.compile(r"^r(?P<major>\d+)\.(?P<minor>\d+)$")  # no patch group: no crash
    assert two.parse("r24.1") == Version(24, 1, 0)
    assert two.tag_like("r24.1", Version(24, 1, 1)) == "r24.1.1"
    custom = TagPattern.compile(r"^shop-(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)$")
    assert custom.parse("shop-2.0.1") == Version(2, 0, 1)
    assert custom.tag_like("shop-2.0.1", Version(2, 0, 2)) == "shop-2.0.2"


def test_pre_releases_sort_before_their_release() -> None:
    tags = ["1.3.0", "1.3.0rc2", "1.3.0rc1", "1.3.0b1", "1.3.0a2", "1.2.9", "1.3.0.dev1"]
    assert [str(v) for v in sorted(PATTERN.parse(t) for t in tags)] == [  # type: ignore[type-var]
        "1.2.9", "1.3.0.dev1", "1.3.0a2", "1.3.0b1", "1.3.0rc1", "1.3.0rc2", "1.3.0"]
    assert next_patch(Version(1, 3, 0), [Version(1, 3, 1, "rc1")]) == Version(1, 3, 1)


def test_two_part_and_calendar_tags_get_a_third_part() -> None:
    assert PATTERN.tag_like("24.1", Version(24, 1, 1)) == "24.1.1"
    assert PATTERN.tag_like("v2024.10", Version(2024, 10, 1)) == "v2024.10.1"
    assert PATTERN.tag_like("v1.2.0rc1", Version(1, 2, 0)) == "v1.2.0"


def test_new_tag_keeps_the_prefix_of_the_base_tag() -> None:
    assert PATTERN.tag_like("v1.1.0", Version(1, 1, 1)) == "v1.1.1"
    assert PATTERN.tag_like("1.1.0", Version(1, 1, 1)) == "1.1.1"


def test_next_patch_skips_every_taken_version_of_the_line() -> None:
    taken = [Version(1, 1, 0), Version(1, 1, 1), Version(1, 1, 4), Version(1, 2, 9)]
    assert next_patch(Version(1, 1, 1), taken) == Version(1, 1, 5)
    assert next_patch(Version(1, 2, 0), []) == Version(1, 2, 1)
    assert next_patch(Version(1, 1, 0), taken, "X.Y.Z+10") == Version(1, 1, 14)


def test_scheme_must_be_understood() -> None:
    assert scheme_step("X.Y.Z+1") == 1
    for bad in ("X.Y.Z+0", "X.Y+1", "semver"):
        with pytest.raises(VersionSyntaxError):
            scheme_step(bad)


def test_line_names() -> None:
    assert parse_line("1.10") == (1, 10)
    for bad in ("1", "1.2.3", "v1.2", "1.x"):
        with pytest.raises(VersionSyntaxError):
            parse_line(bad)


@given(base=versions, taken=st.lists(versions, max_size=20), step=st.integers(1, 5))
def test_next_patch_is_fresh_above_the_base_and_on_its_line(
        base: Version, taken: list[Version], step: int) -> None:
    new = next_patch(base, taken, f"X.Y.Z+{step}")
    assert new.line == base.line
    assert new > base
    assert new not in taken
    assert all(new > v for v in taken if v.line == base.line)


@given(a=versions, b=versions)
def test_order_is_numeric(a: Version, b: Version) -> None:
    assert (a < b) == ((a.major, a.minor, a.patch) < (b.major, b.minor, b.patch))
    assert Version.parse(str(a)) == a
    assert PATTERN.parse(f"v{a}") == a
