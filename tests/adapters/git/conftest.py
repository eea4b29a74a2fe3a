"""Fixtures for the git adapter tests: real repositories in tmp_path."""

from tests.gitrepo import git_sandbox, shop  # noqa: F401  (fixtures)
