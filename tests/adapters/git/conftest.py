"""Fixtures for the git adapter tests: real repositories in tmp_path."""

from gitrepo import git_sandbox, shop  # noqa: F401  (fixtures)
