"""A small builder of real git histories for the audit tests: main and release lines."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import git, make_repo


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = make_repo(path)

    @classmethod
    def at(cls, path: Path) -> Repo:
        """Wrap an existing repository (e.g. the ``repo`` fixture's)."""
        repo = cls.__new__(cls)
        repo.path = path
        return repo

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def commit(self, message: str, files: dict[str, str]) -> str:
        """Append each text to its file (created if needed) and commit; the new SHA."""
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a", encoding="utf-8") as handle:
                handle.write(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def checkout(self, ref: str, *, new: bool = False) -> None:
        self.git("checkout", "-q", *(["-b"] if new else []), ref)

    def pick(self, sha: str, *, x: bool = True, message: str | None = None) -> str:
        self.git("cherry-pick", *(["-x"] if x else []), sha)
        if message is not None:
            self.git("commit", "-q", "--amend", "-m", message)
        return self.git("rev-parse", "HEAD")
