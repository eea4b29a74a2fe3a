"""Fixtures for the git engine services: a released shop repo and a context on it."""

from tests.gitrepo import git_sandbox, shop  # noqa: F401  (fixtures)
from tests.hotfix_flow import ctx  # noqa: F401  (fixture)
