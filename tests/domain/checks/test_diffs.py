"""Parsing git's diff output into changed files and line sets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotfix.domain.checks.diffs import FileChange, Hunk, combine, parse_name_status, parse_patch

PATCH = """\
diff --git a/shop/a.py b/shop/a.py
index 1..2 100644
--- a/shop/a.py
+++ b/shop/a.py
@@ -3 +3,2 @@ def f():
-    return 1
+    x = 2
+    return x
@@ -10,0 +12 @@ def g():
+    pass
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
diff --git a/old.py b/new.py
similarity index 90%
rename from old.py
rename to new.py
@@ -5,2 +5,0 @@
-a
-b
"""
STATUS = "M\0shop/a.py\0M\0img.png\0R090\0old.py\0new.py\0"


def test_name_status_and_patch_pair_up() -> None:
    changes = combine(parse_name_status(STATUS), parse_patch(PATCH))
    a, img, moved = changes
    assert (a.path, a.status, a.added, a.deleted) == ("shop/a.py", "M", 3, 1)
    assert a.old_lines == {3}
    assert a.new_lines == {3, 4, 12}
    assert a.old_touched == {3, 10, 11}  # the insertion after line 10 touches 10 and 11
    assert img.binary
    assert img.hunks == ()
    assert (moved.path, moved.old_path, moved.status) == ("new.py", "old.py", "R")
    assert moved.old_lines == {5, 6}
    assert moved.new_touched == {5, 6}  # both neighbours of the deletion point


def test_added_and_deleted_files() -> None:
    parsed = parse_name_status("A\0n.py\0D\0gone.py\0")
    assert parsed == [("A", None, "n.py"), ("D", "gone.py", "gone.py")]


def test_unmatched_patch_leaves_no_hunks_rather_than_wrong_ones() -> None:
    changes = combine(parse_name_status(STATUS), [])
    assert [c.hunks for c in changes] == [(), (), ()]


@given(st.integers(1, 500), st.integers(0, 50), st.integers(1, 500), st.integers(0, 50))
def test_line_sets_match_the_hunk(a: int, b: int, c: int, d: int) -> None:
    ch = FileChange("x.py", "M", "x.py", (Hunk(a, b, c, d),))
    assert len(ch.old_lines) == b
    assert len(ch.new_lines) == d
    assert ch.old_lines <= ch.old_touched
    assert ch.new_lines <= ch.new_touched
    assert (ch.added, ch.deleted) == (d, b)
