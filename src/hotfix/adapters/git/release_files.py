"""Release-only files in a worktree: version files to bump and the changelog to extend."""

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
    """Set the declared version of every matching file to ``new``: path → old version."""
    bumped: dict[str, str] = {}
    for path in version_paths(tree, patterns):
        file = tree / path
        result = version_files.bump(path, file.read_text(encoding="utf-8"), new)
        if result.old is not None:
            file.write_text(result.text, encoding="utf-8")
            bumped[path] = result.old
    return bumped


def write_notes(tree: Path, changelog: str, *, tag: str, day: str, title: str,
                entries: Iterable[NoteEntry]) -> list[NoteEntry]:
    """Add the entries the changelog does not list yet; return those added."""
    file = tree / changelog
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    new_text, added = release_notes.add_release(text, tag, day, title, entries)
    if added:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(new_text, encoding="utf-8")
    return added


def stage(tree: Path, paths: Iterable[str]) -> None:
    wanted = list(paths)
    if wanted:
        cmd.run(["add", "--", *wanted], tree)


def release_paths(tree: Path, patterns: list[str], changelog: str) -> set[str]:
    """Files whose changes are release-only: never ported, never a conflict."""
    return {*version_paths(tree, patterns), changelog}

