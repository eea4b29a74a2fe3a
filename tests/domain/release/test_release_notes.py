from __future__ import annotations

from hotfix.domain.release.notes import NoteEntry, add_release

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
