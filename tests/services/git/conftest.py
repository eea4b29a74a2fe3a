"""Fixtures for the git engine services: a released shop repo and a context on it."""

from gitrepo import git_sandbox, shop  # noqa: F401  (fixtures)
from hotfix_flow import ctx  # noqa: F401  (fixture)
