from __future__ import annotations

from hotfix.domain.release.notes import NoteEntry, add_release, add_unreleased, format_of

FIX = NoteEntry("HF-3", "Fix checkout for EU cards", "1a2b3c4d5e6f7a8b")
OTHER = NoteEntry("HF-3", "Log the card country", "99aa88bb77cc66dd")
OLD = "# Changelog\n\n## v1.1.0 — 2024-02-01\n\n- Sell in Italy\n"


def test_new_section_goes_on_top_of_older_releases() -> None:
    text, added = add_release(OLD, "v1.1.1", "2024-03-01", "HF-3: checkout 500", [FIX])
    assert added == [FIX]
    assert text == (
        "# Changelog\n\n## v1.1.1 — 2024-03-01\n\nHF-3: checkout 500\n\n"
        "- Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n"
        "## v1.1.0 — 2024-02-01\n\n- Sell in Italy\n")


def test_no_entry_twice_rerun_or_duplicate_input() -> None:
    once, _ = add_release(OLD, "v1.1.1", "2024-03-01", "t", [FIX, FIX])
    twice, added = add_release(once, "v1.1.1", "2024-03-01", "t", [FIX])
    assert added == []
    assert twice == once
    assert once.count("(HF-3, 1a2b3c4d5e6f)") == 1


def test_a_missing_entry_joins_the_existing_section() -> None:
    once, _ = add_release(OLD, "v1.1.1", "2024-03-01", "t", [FIX])
    both, added = add_release(once, "v1.1.1", "2024-03-01", "t", [FIX, OTHER])
    assert added == [OTHER]
    assert both.count("## v1.1.1") == 1
    section = both.split("## v1.1.0")[0]
    assert "(HF-3, 99aa88bb77cc)" in section


def test_empty_file_gets_a_header() -> None:
    text, _ = add_release("", "v1.0.1", "2024-03-01", "t", [FIX])
    assert text.startswith("# Changelog\n\n## v1.0.1 — 2024-03-01\n")


RST = """Changelog
=========

Unreleased
----------

- Nothing yet.

1.1.0 (2024-02-01)
------------------

* Sell in Italy

1.0.0 (2024-01-01)
------------------

* First release
"""


def test_rst_gets_an_rst_section_above_the_newest_release_in_its_style() -> None:
    text, added = add_release(RST, "v1.1.1", "2024-03-01", "HF-3: checkout 500", [FIX],
                              format_of("CHANGES.rst", RST))
    assert added == [FIX]
    assert text == RST.replace("1.1.0 (2024-02-01)\n", (
        "1.1.1 (2024-03-01)\n------------------\n\nHF-3: checkout 500\n\n"
        "* Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n1.1.0 (2024-02-01)\n"), 1)
    assert "##" not in text
    again, more = add_release(text, "v1.1.1", "2024-03-01", "t", [FIX, OTHER], "rst")
    assert more == [OTHER]
    assert again.count("1.1.1 (2024-03-01)") == 1
    assert again.index("(HF-3, 99aa88bb77cc)") < again.index("1.1.0 (2024-02-01)")


def test_rst_overlined_titles_and_the_format_found_from_the_text() -> None:
    old = "=======\nHistory\n=======\n\nv2.0.0\n======\n\n- Big\n"
    assert format_of("HISTORY", old) == "rst"
    text, _ = add_release(old, "v2.0.1", "2024-03-01", "HF-3: t", [FIX], "rst")
    assert text.startswith("=======\nHistory\n=======\n\nv2.0.1\n======\n\nHF-3: t\n\n- Fix")
    assert text.endswith("v2.0.0\n======\n\n- Big\n")


def test_markdown_keeps_the_projects_heading_style_and_unreleased_on_top() -> None:
    old = ("# Changelog\n\nAll notable changes.\n\n## [Unreleased]\n\n### Fixed\n\n"
           "## [1.1.0] - 2024-02-01\n\n* Sell in Italy\n\n[1.1.0]: https://x/1.1.0\n")
    text, _ = add_release(old, "v1.1.1", "2024-03-01", "HF-3: t", [FIX],
                          format_of("CHANGELOG.md", old))
    top, rest = text.split("## [1.1.1] - 2024-03-01\n")
    assert "## [Unreleased]" in top
    assert rest.startswith("\nHF-3: t\n\n* Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n"
                           "## [1.1.0] - 2024-02-01")
    assert text.endswith("[1.1.0]: https://x/1.1.0\n")


def test_a_changelog_with_no_release_yet_gets_one_under_its_title() -> None:
    rst = "Changes\n=======\n\nWhat changed.\n"
    text, _ = add_release(rst, "v1.0.1", "2024-03-01", "t", [FIX], "rst")
    assert text == ("Changes\n=======\n\nWhat changed.\n\nv1.0.1 (2024-03-01)\n"
                    "-------------------\n\nt\n\n- Fix checkout for EU cards (HF-3, "
                    "1a2b3c4d5e6f)\n")


KEEP = """# Changelog

## [Unreleased]

### Added

- Gift cards

### Security

- Rotate keys

## [1.1.0] - 2024-02-01

### Fixed

- Sell in Italy
"""


def test_unreleased_entry_goes_under_fixed_before_security_once() -> None:
    text, added = add_unreleased(KEEP, [FIX])
    assert added == [FIX]
    assert text == KEEP.replace("### Security\n", "### Fixed\n\n"
                                "- Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n"
                                "### Security\n")
    more, added = add_unreleased(text, [FIX, OTHER])
    assert added == [OTHER]
    assert more.count("### Fixed") == 2  # Unreleased's and 1.1.0's
    assert more.index("(HF-3, 99aa88bb77cc)") < more.index("### Security")
    assert add_unreleased(more, [FIX, OTHER]) == (more, [])


def test_an_entry_any_release_lists_already_is_not_unreleased() -> None:
    released, _ = add_release(OLD, "v1.1.1", "2024-03-01", "t", [FIX])
    assert add_unreleased(released, [FIX]) == (released, [])


def test_no_unreleased_section_gets_one_in_the_newest_release_style() -> None:
    text, _ = add_unreleased(OLD, [FIX])
    assert text == ("# Changelog\n\n## Unreleased\n\n"
                    "- Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n"
                    "## v1.1.0 — 2024-02-01\n\n- Sell in Italy\n")
    keep = KEEP.replace("## [Unreleased]\n\n### Added\n\n- Gift cards\n\n### Security\n\n"
                        "- Rotate keys\n\n", "")
    assert add_unreleased(keep, [FIX])[0] == keep.replace(
        "## [1.1.0]", "## [Unreleased]\n\n### Fixed\n\n"
        "- Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n## [1.1.0]")


def test_rst_unreleased_section_gets_the_item_in_its_own_bullet() -> None:
    text, _ = add_unreleased(RST, [FIX], "rst")
    assert text == RST.replace("- Nothing yet.\n", "- Nothing yet.\n"
                               "- Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n")
    bare = RST.replace("Unreleased\n----------\n\n- Nothing yet.\n\n", "")
    assert add_unreleased(bare, [FIX], "rst")[0] == bare.replace(
        "1.1.0 (2024-02-01)\n", "Unreleased\n----------\n\n"
        "* Fix checkout for EU cards (HF-3, 1a2b3c4d5e6f)\n\n1.1.0 (2024-02-01)\n")
