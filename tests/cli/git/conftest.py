"""Fixtures for the git engine commands."""

from gitrepo import git_sandbox, shop  # noqa: F401  (fixtures)
from hotfix_flow import ctx  # noqa: F401  (fixture)
