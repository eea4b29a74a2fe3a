"""A small builder of real git histories for the audit tests: main and release lines,
merged pull requests, reverts and dated tags."""

from __future__ import annotations

import os
import subprocess
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

    def merge_pr(self, number: int, branch: str, commits: list[tuple[str, dict[str, str]]],
                 into: str = "main") -> str:
        """A pull request as GitHub merges it: ``branch`` from ``into`` with ``commits``,
        merged with ``--no-ff`` as "Merge pull request #N from user/branch"; the merge SHA."""
        self.checkout(into)
        self.checkout(branch, new=True)
        for message, files in commits:
            self.commit(message, files)
        self.checkout(into)
        self.git("merge", "-q", "--no-ff", "-m",
                 f"Merge pull request #{number} from user/{branch}", branch)
        return self.git("rev-parse", "HEAD")

    def revert(self, sha: str, *extra: str) -> str:
        """``git revert`` (its message: Revert "…" / This reverts commit SHA.)."""
        self.git("revert", "--no-edit", *extra, sha)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, rev: str = "HEAD", *, at: str | None = None) -> None:
        """An annotated tag, made at ``at`` (an ISO date) when given."""
        env = {**os.environ, **({"GIT_COMMITTER_DATE": at} if at else {})}
        subprocess.run(["git", "tag", "-a", "-m", name, name, rev], cwd=self.path, env=env,
                       check=True, capture_output=True)
