"""Fixtures for the deploy adapter tests."""

from tests.rollout_app.support import started  # noqa: F401  (a fixture)
