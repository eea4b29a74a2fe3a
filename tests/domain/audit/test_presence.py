"""A patch's hunks against a file's text: applied, absent or unknown (pure, no git)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.audit.hunks import FilePatch, Hunk, code_files, parse_patch
from hotfix.domain.audit.presence import (
    HunkState,
    Presence,
    Tally,
    Text,
    file_tally,
    hunk_state,
    tree_tally,
)

PATCH = """\
diff --git a/shop.py b/shop.py
index 1111111..2222222 100644
--- a/shop.py
+++ b/shop.py
@@ -1,4 +1,4 @@
 def pay(card):
-    if card.country == "US":
+    if card.country in ("US", "EU"):
         return charge(card)
     return refuse(card)
@@ -10,3 +10,4 @@ def refund(card):
     log(card)
     undo(card)
     return True
+# EU refunds too
diff --git a/new.txt b/new.txt
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.txt
@@ -0,0 +1 @@
+hello
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 4444444..0000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/logo.png b/logo.png
index 5555555..6666666 100644
Binary files a/logo.png and b/logo.png differ
"""

BEFORE = ('def pay(card):\n    if card.country == "US":\n        return charge(card)\n'
          "    return refuse(card)\n\n\n\n\n\n    log(card)\n    undo(card)\n    return True\n")
AFTER = (BEFORE.replace('== "US"', 'in ("US", "EU")') + "# EU refunds too\n")


def test_parse_a_patch_into_files_and_hunks() -> None:
    files = parse_patch(PATCH)
    assert [(f.path, len(f.hunks), f.created, f.deleted) for f in files] == [
        ("shop.py", 2, False, False), ("new.txt", 1, True, False),
        ("gone.txt", 1, False, True)]
    first = files[0].hunks[0]
    assert first.removed == ('    if card.country == "US":',)
    assert first.added == ('    if card.country in ("US", "EU"):',)
    assert first.old[0] == first.new[0] == "def pay(card):"
    assert files[0].hunks[1].old == ("    log(card)", "    undo(card)", "    return True")


def test_a_quoted_path_and_a_missing_final_newline() -> None:
    patch = ('diff --git "a/caf\\303\\251 1.py" "b/caf\\303\\251 1.py"\n'
             '--- "a/caf\\303\\251 1.py"\n+++ "b/caf\\303\\251 1.py"\n@@ -1 +1 @@\n'
             "-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n")
    (file,) = parse_patch(patch)
    assert file.path == "café 1.py"
    assert file.hunks[0] == Hunk(("a",), ("b",), ("a",), ("b",))


def test_hunks_against_the_file_before_and_after() -> None:
    shop = parse_patch(PATCH)[0]
    assert file_tally(shop, Text(AFTER), True) == Tally(applied=2)
    assert file_tally(shop, Text(BEFORE), True) == Tally(absent=2)
    half = BEFORE.replace('== "US"', 'in ("US", "EU")')
    assert file_tally(shop, Text(half), True) == Tally(applied=1, absent=1)
    assert Tally(applied=1, absent=1).presence is Presence.PARTIAL
    moved_on = AFTER.replace("    log(card)\n", "    audit(card)\n")
    assert file_tally(shop, Text(moved_on), True) == Tally(applied=2)  # by the added line


def test_an_appended_line_is_told_from_its_context_alone() -> None:
    hunk = Hunk(("shop",), ("shop", "eu"), (), ("eu",))
    assert hunk_state(hunk, Text("shop\neu\n")) is HunkState.APPLIED
    assert hunk_state(hunk, Text("shop\n")) is HunkState.ABSENT
    assert hunk_state(hunk, Text("other\n")) is HunkState.UNKNOWN
    added_only = Hunk((), ("eu",), (), ("eu",))  # a file that was empty
    assert hunk_state(added_only, Text("eu\n")) is HunkState.APPLIED
    assert hunk_state(added_only, Text("")) is HunkState.UNKNOWN


def test_a_removal_tells_a_fix_absent_never_present() -> None:
    hunk = Hunk(("keep", "drop"), ("keep",), ("drop",), ())
    assert hunk_state(hunk, Text("keep\ndrop\n")) is HunkState.ABSENT
    # removed, or never there (a tree older than the line): the same text
    assert hunk_state(hunk, Text("keep\n")) is HunkState.UNKNOWN


def test_moved_on_code_is_unknown_and_a_changed_context_falls_back_to_the_lines() -> None:
    hunk = parse_patch(PATCH)[0].hunks[0]
    assert hunk_state(hunk, Text("def pay(card):\n    return 1\n")) is HunkState.UNKNOWN
    # the context changed (a log line), the fix's line is not there: the old line is
    other = 'def pay(card):\n    log()\n    if card.country == "US":\n        go()\n'
    assert hunk_state(hunk, Text(other)) is HunkState.ABSENT
    twice = other + other  # found twice: too common to tell
    assert hunk_state(hunk, Text(twice)) is HunkState.UNKNOWN


def test_created_deleted_and_missing_files() -> None:
    _, new, gone = parse_patch(PATCH)
    assert file_tally(new, None, False) == Tally(absent=1)
    assert file_tally(new, Text("hello\n"), True) == Tally(applied=1)
    assert file_tally(gone, None, False) == Tally(unknown=1)  # deleted, or never there
    assert file_tally(gone, Text("bye\n"), True) == Tally(absent=1)
    shop = parse_patch(PATCH)[0]
    assert file_tally(shop, None, False) == Tally(unknown=2)  # not there: cannot tell
    assert file_tally(shop, None, True) == Tally(unknown=2)  # binary or not UTF-8
    assert tree_tally(parse_patch(PATCH), {"shop.py": Text(AFTER), "new.txt": Text("hello\n")}
                      ) == Tally(applied=3, unknown=1)


def test_crlf_is_not_content() -> None:
    shop = parse_patch(PATCH.replace("\n", "\r\n").replace("\r\ndiff", "\ndiff"))[0]
    assert shop.hunks[0].added == ('    if card.country in ("US", "EU"):',)
    assert file_tally(shop, Text(AFTER.replace("\n", "\r\n")), True) == Tally(applied=2)
    assert file_tally(parse_patch(PATCH)[0], Text(AFTER.replace("\n", "\r\n")), True
                      ) == Tally(applied=2)


def test_tally_presence() -> None:
    assert Tally().presence is Presence.UNKNOWN
    assert Tally(applied=1, unknown=3).presence is Presence.APPLIED
    assert Tally(absent=1, unknown=3).presence is Presence.ABSENT
    assert Tally(applied=1, absent=1).presence is Presence.PARTIAL
    assert Tally(applied=2, unknown=1).decisive
    assert not Tally(applied=1, unknown=1).decisive
    assert FilePatch("x", ()) == parse_patch("diff --git a/x b/x\n--- a/x\n+++ b/x\n")[0]


# distinct lines: in a file of repeated lines both images can occur, and nothing is decided
lines = st.lists(st.text("abc}{ ", min_size=1, max_size=4), max_size=16, unique=True)


@given(lines, st.integers(0, 16), st.integers(0, 3))
def test_a_change_is_applied_after_and_absent_before(before: list[str], at: int,
                                                     width: int) -> None:
    at = min(at, len(before))
    removed = before[at:at + width]
    added = ["FIXED"]
    after = [*before[:at], *added, *before[at + width:]]
    ctx_before, ctx_after = before[max(0, at - 3):at], before[at + width:at + width + 3]
    hunk = Hunk((*ctx_before, *removed, *ctx_after), (*ctx_before, *added, *ctx_after),
                tuple(removed), tuple(added))
    assert hunk_state(hunk, Text("\n".join(after) + "\n")) is HunkState.APPLIED
    expected = HunkState.ABSENT if hunk.old else HunkState.UNKNOWN
    assert hunk_state(hunk, Text("\n".join(before) + "\n")) is expected


def test_release_bookkeeping_is_not_looked_for() -> None:
    from hotfix.domain.audit.release_files import ReleaseFiles

    patch = parse_patch(PATCH.replace("new.txt", "changelog/12.bugfix.rst")
                        .replace("gone.txt", "CHANGELOG.md"))
    kept = code_files(patch, ReleaseFiles(("CHANGELOG*",), ()))
    assert [f.path for f in kept] == ["shop.py"]
    news_app = parse_patch(PATCH.replace("new.txt", "src/news/feed.py"))
    assert "src/news/feed.py" in [f.path for f in code_files(news_app, ReleaseFiles())]
    towncrier = parse_patch(PATCH.replace("new.txt", "CHANGES/+hf-1.bugfix"))
    assert [f.path for f in code_files(towncrier, ReleaseFiles())] == ["shop.py", "gone.txt"]
