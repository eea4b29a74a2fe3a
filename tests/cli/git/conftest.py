"""Fixtures for the git engine commands."""

from tests.gitrepo import git_sandbox, shop  # noqa: F401  (fixtures)
from tests.hotfix_flow import ctx  # noqa: F401  (fixture)
