"""Release-only files in a worktree: version files (and their lock files) to bump, and the
changelog to extend in its own format."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hotfix.adapters.git import cmd
from hotfix.domain.release import notes as release_notes
from hotfix.domain.release import version_files
from hotfix.domain.release.notes import NoteEntry


def tracked(tree: Path) -> list[str]:
    return cmd.split_z(cmd.run(["ls-files", "-z"], tree).stdout)


def version_paths(tree: Path, patterns: list[str]) -> list[str]:
    return version_files.matching(tracked(tree), patterns)


def bump_versions(tree: Path, patterns: list[str], new: str) -> dict[str, str]:
    """Set the declared version of every matching file to ``new``, and of the lock file
    beside a bumped manifest (``uv.lock``, ``package-lock.json``, ``Cargo.lock``): path → old
    version."""
    bumped: dict[str, str] = {}
    files = tracked(tree)
    for path in version_files.matching(files, patterns):
        file = tree / path
        text = file.read_text(encoding="utf-8")
        result = version_files.bump(path, text, new)
        if result.old is None:
            continue
        file.write_text(result.text, encoding="utf-8")
        bumped[path] = result.old
        lock = version_files.lock_of(path)
        if lock is not None and lock in files and lock not in bumped:
            name = version_files.manifest_name(path, text)
            locked = version_files.bump_lock(lock, (tree / lock).read_text(encoding="utf-8"),
                                             name, result.old, new)
            if locked.old is not None:
                (tree / lock).write_text(locked.text, encoding="utf-8")
                bumped[lock] = locked.old
    return bumped


KNOWN_CHANGELOGS = ("CHANGELOG.md", "CHANGELOG.rst", "CHANGES.md", "CHANGES.rst", "HISTORY.md",
                    "HISTORY.rst", "NEWS.md", "NEWS.rst", "CHANGELOG", "CHANGES", "NEWS",
                    "docs/changelog.md", "docs/changelog.rst", "doc/changelog.rst")


def changelog_path(tree: Path, changelog: str) -> str:
    """The changelog a release extends: ``lines.changelog`` when the project has it, else
    the first of the usual names it has (``CHANGES.rst``, ``HISTORY.md``, …), else the
    setting's (created)."""
    if (tree / changelog).is_file():
        return changelog
    return next((name for name in KNOWN_CHANGELOGS if (tree / name).is_file()), changelog)


def write_notes(tree: Path, changelog: str, *, tag: str | None, day: str, title: str,
                entries: Iterable[NoteEntry]) -> list[NoteEntry]:
    """Add the entries the changelog does not list yet, in its format, to ``tag``'s release
    (``tag`` None: to the Unreleased section, for the next regular release); return those
    added. The file keeps its line endings (CRLF stays CRLF)."""
    file = tree / changelog
    raw = file.read_bytes().decode("utf-8") if file.is_file() else ""
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n")
    fmt = release_notes.format_of(changelog, text)
    new_text, added = (release_notes.add_unreleased(text, entries, fmt) if tag is None else
                       release_notes.add_release(text, tag, day, title, entries, fmt))
    if added:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes((new_text.replace("\n", "\r\n") if crlf else new_text).encode())
    return added


def stage(tree: Path, paths: Iterable[str]) -> None:
    wanted = list(paths)
    if wanted:
        cmd.run(["add", "--", *wanted], tree)


def release_paths(tree: Path, patterns: list[str], changelog: str) -> set[str]:
    """Files whose changes are release-only: never ported, never a conflict."""
    files = tracked(tree)
    versions = version_files.matching(files, patterns)
    locks = {lock for p in versions if (lock := version_files.lock_of(p)) in files}
    return {*versions, *locks, changelog, changelog_path(tree, changelog)}

