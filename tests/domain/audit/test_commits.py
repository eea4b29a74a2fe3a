"""Parsing what a commit message says about its origin."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.audit.commits import normalise_subject, parse_commit, pr_numbers

SHA = "a" * 40
OTHER = "b" * 40


def test_trailers_of_a_cherry_pick_and_a_backport() -> None:
    message = (f"Fix the EU checkout (#12)\n\nLonger text.\n\nHotfix-Id: hf-7\n"
               f"Backport-Of: {OTHER[:10]}\n(cherry picked from commit {OTHER.upper()})\n")
    info = parse_commit(SHA.upper(), message, ("shop/checkout.py",))
    assert info.sha == SHA
    assert info.subject == "Fix the EU checkout (#12)"
    assert info.cherry_from == (OTHER,)
    assert info.backport_of == (OTHER[:10],)
    assert info.hotfix_ids == ("HF-7",)
    assert info.origins == frozenset({SHA, OTHER, OTHER[:10]})
    assert info.prs == frozenset({12})


def test_trailer_words_inside_a_sentence_are_not_trailers() -> None:
    info = parse_commit(SHA, "Explain Backport-Of: usage\n\nwe mention Hotfix-Id: HF-1 here\n")
    assert info.backport_of == ()
    assert info.hotfix_ids == ()


def test_empty_message() -> None:
    assert parse_commit(SHA, "").subject == ""


def test_normalise_strips_backport_decorations() -> None:
    original = "gh-101: Fix the parser crash (#100)"
    assert normalise_subject("[3.12] gh-101: Fix the parser crash (GH-100) (#105)") == \
        normalise_subject(original) == "gh-101: fix the parser crash"
    assert normalise_subject("Backport: [1.1] Fix  crash.") == "fix crash"
    assert normalise_subject("backport(1.1): fix crash") == "fix crash"
    assert normalise_subject("Cherry-pick to release/1.1: Fix crash") == "fix crash"
    assert normalise_subject("Fix crash") != normalise_subject("Fix crashes")


def test_pr_numbers() -> None:
    assert pr_numbers("[3.12] Fix (GH-100) (#105)") == frozenset({100, 105})
    assert pr_numbers("Fix #100 without parentheses") == frozenset()


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_normalise_is_idempotent(subject: str) -> None:
    once = normalise_subject(subject)
    assert normalise_subject(once) == once


@given(st.text(alphabet="abcdefgh ", min_size=1, max_size=30).filter(str.strip))
def test_prefix_and_pr_do_not_change_the_key(subject: str) -> None:
    assert normalise_subject(f"[1.1] {subject} (#42)") == normalise_subject(subject)


def test_normalise_strips_line_suffixes() -> None:
    key = normalise_subject("Fix EU cards")
    for decorated in ("Fix EU cards on 1.0", "Fix EU cards (backport to release/1.1)",
                      "Fix EU cards [1.1]", "Fix EU cards (backport)", "Fix EU cards for v2.3.x"):
        assert normalise_subject(decorated) == key, decorated
    assert normalise_subject("Upgrade to Python 3.12") == "upgrade to python 3.12"
    for versioned in ("Release version 8.5.0", "Bump foo to 2.1", "Release 8.2.1"):
        assert normalise_subject(versioned) == versioned.lower(), versioned
    assert normalise_subject("Fix EU cards in checkout") == "fix eu cards in checkout"


def test_normalise_is_idempotent_on_tricky_endings() -> None:
    for subject in ("x 1.1.", "a to 1.1 1.2", "[1.1] [backport] x (backport)", " . "):
        once = normalise_subject(subject)
        assert normalise_subject(once) == once, subject


def test_reverts_and_backport_pr_references_are_read() -> None:
    revert = parse_commit("a" * 40, 'Revert "Fix x (#5)"\n\nThis reverts commit ' + "b" * 40
                          + ".\n")
    assert (revert.reverts, revert.is_revert, revert.prs) == (("b" * 40,), True, {5})
    manual = parse_commit("c" * 40, "[8.0.x] Use isort (#11898)\n\nBackport of #11896\n")
    assert manual.prs == {11896, 11898}
    assert pr_numbers("Merge pull request #13264 from pytest-dev/release-8.3.5") == {13264}
    assert pr_numbers("[PR #13509/2d9c5c10 backport][3.15] Fix base64 (#13512)") == {
        13509, 13512}
    django = parse_commit("d" * 40, "[5.0.x] Fixed #1 -- x.\n\nBackport of 1234abcd from main\n")
    assert django.backport_of == ("1234abcd",)
