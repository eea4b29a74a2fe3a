"""Which changes are release bookkeeping."""

from __future__ import annotations

import pytest

from hotfix.domain.audit.release_files import Kind, ReleaseFiles, glob_regex

RF = ReleaseFiles(("CHANGELOG*", "VERSION", ".github/workflows/**"),
                  ("pyproject.toml", "__init__.py"))


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("CHANGELOG*", "CHANGELOG.md", True),
    ("CHANGELOG*", "docs/CHANGELOG.rst", True),
    ("CHANGELOG*", "docs/CHANGELOGS/x", False),
    (".github/workflows/**", ".github/workflows/ci.yml", True),
    (".github/workflows/**", "sub/.github/workflows/ci.yml", False),
    ("src/**/version.py", "src/version.py", True),
    ("src/**/version.py", "src/a/b/version.py", True),
    ("?.txt", "a.txt", True),
    ("?.txt", "ab.txt", False),
])
def test_globs(pattern: str, path: str, hit: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is hit


def test_kinds() -> None:
    assert RF.kind(()) is Kind.RELEASE
    assert RF.kind(("CHANGELOG.md", "VERSION")) is Kind.RELEASE
    assert RF.kind(("CHANGELOG.md", "pyproject.toml", "shop/__init__.py")) is Kind.VERSION
    assert RF.kind(("CHANGELOG.md", "shop/checkout.py")) is Kind.CODE


BUMP = """diff --git a/pyproject.toml b/pyproject.toml
--- a/pyproject.toml
+++ b/pyproject.toml
@@ -1,3 +1,3 @@
 [project]
-version = "1.1.0"
+version = "1.1.1"
diff --git a/shop/__init__.py b/shop/__init__.py
--- a/shop/__init__.py
+++ b/shop/__init__.py
@@ -1 +1 @@
-__version__ = '1.1.0'
+__version__ = '1.1.1'
diff --git a/CHANGELOG.md b/CHANGELOG.md
--- a/CHANGELOG.md
+++ b/CHANGELOG.md
@@ -1 +1,2 @@
+- fixed anything at all
"""


def test_version_only_bump() -> None:
    assert RF.version_only(BUMP)


def test_a_dependency_change_is_not_a_version_bump() -> None:
    deps = BUMP.replace('+version = "1.1.1"', '+version = "1.1.1"\n+dependencies = ["x>=2.0"]')
    assert not RF.version_only(deps)


def test_release_globs_ignore_case() -> None:
    files = ReleaseFiles(("CHANGELOG*",), ())
    assert files.is_release_file("doc/en/changelog.rst")
    assert files.kind(["doc/en/changelog.rst"]) is Kind.RELEASE
