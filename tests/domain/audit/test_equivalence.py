"""The pure decisions: which line commits are in the mainline, and how we know."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.audit.commits import CommitInfo
from hotfix.domain.audit.equivalence import (
    By,
    Evidence,
    MainIndex,
    Match,
    Status,
    Waiver,
    audit_line,
    decide,
)
from hotfix.domain.audit.release_files import ReleaseFiles

RF = ReleaseFiles(("CHANGELOG*",), ())


def sha(n: int) -> str:
    return hashlib.sha1(str(n).encode()).hexdigest()


def commit(n: int, subject: str = "", files: tuple[str, ...] = ("app.py",),
           **kw: tuple[str, ...]) -> CommitInfo:
    return CommitInfo(sha=sha(n), subject=subject or f"change {n}", files=files, **kw)


MAIN = [
    commit(1, "Fix crash in parser (#10)", ("parser.py",)),
    commit(2, "Speed up cache", ("cache.py",), cherry_from=(sha(90),)),
    commit(3, "Handle EU cards", ("shop/checkout.py", "tests/t.py"), hotfix_ids=("HF-7",)),
    commit(4, "Release notes", ("CHANGELOG.md",), hotfix_ids=("HF-9",)),
    commit(5, "Tidy logging", ("log.py",)),
    commit(6, "Abbreviated forward port", ("z.py",), backport_of=(sha(91)[:9],)),
]
INDEX = MainIndex(MAIN, RF)


def verdict(c: CommitInfo, **kw: object) -> tuple[Status, Match | None]:
    v = decide(c, INDEX, Evidence(**kw))  # type: ignore[arg-type]
    return v.status, v.match


def test_cherry_picked_from_a_mainline_commit() -> None:
    c = commit(50, "[1.1] Fix crash in parser", ("parser.py",), cherry_from=(sha(1),))
    assert verdict(c) == (Status.IN_MAINLINE, Match(sha(1), By.TRAILER))


def test_abbreviated_backport_of() -> None:
    c = commit(50, files=("x.py",), backport_of=(sha(1)[:8],))
    assert verdict(c) == (Status.IN_MAINLINE, Match(sha(1), By.TRAILER))


def test_forward_ported_mainline_commit_names_the_line_commit() -> None:
    assert verdict(commit(90, files=("q.py",))) == (Status.IN_MAINLINE,
                                                     Match(sha(2), By.TRAILER))
    assert verdict(commit(91, files=("q.py",))) == (Status.IN_MAINLINE,
                                                     Match(sha(6), By.TRAILER))


def test_both_picked_from_one_origin() -> None:
    c = commit(51, files=("q.py",), cherry_from=(sha(90),))
    assert verdict(c) == (Status.IN_MAINLINE, Match(sha(2), By.TRAILER))


def test_hotfix_id_needs_a_common_code_file() -> None:
    same = commit(52, files=("shop/checkout.py",), hotfix_ids=("HF-7",))
    assert verdict(same) == (Status.IN_MAINLINE, Match(sha(3), By.TRAILER))
    other_file = commit(53, files=("shop/cart.py",), hotfix_ids=("HF-7",))
    assert verdict(other_file)[0] is Status.MISSING
    # HF-9 reached the mainline only as release notes: the fix itself did not.
    notes_only = commit(54, files=("shop/x.py", "CHANGELOG.md"), hotfix_ids=("HF-9",))
    assert verdict(notes_only)[0] is Status.MISSING


def test_patch_id() -> None:
    c = commit(55, "Totally different words", ("log.py",))
    status = verdict(c, patch_ids={sha(55): "p5"}, main_by_patch_id={"p5": sha(5)})
    assert status == (Status.IN_MAINLINE, Match(sha(5), By.PATCH_ID))


def test_subject_fallback_by_pr_or_subject_and_common_file() -> None:
    by_pr = commit(56, "Different words (#10)", ("elsewhere.py",))
    assert verdict(by_pr) == (Status.IN_MAINLINE, Match(sha(1), By.SUBJECT))
    by_subject = commit(57, "[1.1] Tidy logging", ("log.py", "compat.py"))
    assert verdict(by_subject) == (Status.IN_MAINLINE, Match(sha(5), By.SUBJECT))
    no_common_file = commit(58, "Tidy logging", ("other.py",))
    assert verdict(no_common_file)[0] is Status.MISSING
    assert verdict(by_subject, subject_fallback=False)[0] is Status.MISSING


def test_release_only_and_waived_and_missing() -> None:
    bump = commit(60, "Release 1.1.1", ("CHANGELOG.md",))
    assert verdict(bump, release_only=frozenset({sha(60)})) == (Status.RELEASE_ONLY, None)
    lost = commit(61, "Fix a thing only on 1.1", ("fix.py",))
    assert verdict(lost) == (Status.MISSING, None)
    waiver = Waiver(sha(61), "1.1", "1.1 only", "lead@x", datetime(2026, 1, 1, tzinfo=UTC))
    v = decide(lost, INDEX, Evidence(waivers={sha(61): waiver}))
    assert (v.status, v.waiver) == (Status.WAIVED, waiver)


def test_line_audit_shape_and_counts() -> None:
    lost = commit(61, "Fix a thing", ("fix.py",))
    picked = commit(50, files=("parser.py",), cherry_from=(sha(1),))
    audit = audit_line("1.1", [picked, lost], INDEX, Evidence())
    assert audit.to_dict() == {"line": "1.1", "commits": [
        {"sha": sha(50), "subject": "change 50", "status": "in_mainline",
         "match": {"sha": sha(1), "by": "trailer"}},
        {"sha": sha(61), "subject": "Fix a thing", "status": "missing", "match": None},
    ]}
    assert audit.counts() == {"in_mainline": 1, "missing": 1, "release_only": 0, "waived": 0,
                              "reverted": 0, "reverted_in_mainline": 0}
    assert [v.sha for v in audit.missing] == [sha(61)]


@given(st.lists(st.tuples(st.integers(100, 120), st.booleans(), st.booleans()), max_size=15))
def test_release_only_is_never_missing_and_missing_has_no_match(
        rows: list[tuple[int, bool, bool]]) -> None:
    commits = [commit(n, files=("app.py",), cherry_from=(sha(1),) if picked else ())
               for n, picked, _ in rows]
    release_only = frozenset(sha(n) for n, _, bump in rows if bump)
    audit = audit_line("1.1", commits, INDEX, Evidence(release_only=release_only))
    for c, v in zip(commits, audit.commits, strict=True):
        assert v.sha == c.sha
        if c.sha in release_only:
            assert v.status in (Status.RELEASE_ONLY, Status.IN_MAINLINE)
        assert (v.status is Status.IN_MAINLINE) == (v.match is not None)
        assert (v.status is Status.IN_MAINLINE) == bool(c.cherry_from)


def test_a_hotfix_release_commit_is_release_only_and_never_a_match() -> None:
    release = CommitInfo(sha(70), "Release v1.1.1", ("shop/__init__.py", "CHANGELOG.md"),
                         hotfix_ids=("HF-8",), is_release=True)
    assert decide(release, INDEX, Evidence()).status is Status.RELEASE_ONLY
    index = MainIndex([*MAIN, release], RF)  # merged back into main with the notes
    fix = commit(71, "Fix the init", ("shop/__init__.py",), hotfix_ids=("HF-8",))
    assert decide(fix, index, Evidence()).status is Status.MISSING


def test_subject_fallback_never_matches_through_version_files_alone() -> None:
    rf = ReleaseFiles(("CHANGELOG*",), ("pyproject.toml", "__init__.py"))
    index = MainIndex([commit(70, "Release 1.1.0", ("pyproject.toml", "shop/__init__.py"))],
                      rf)
    release_1_2 = commit(71, "Release v1.2.0", ("pyproject.toml", "shop/__init__.py",
                                                "shop/search.py"))
    assert decide(release_1_2, index, Evidence()).status is Status.MISSING
