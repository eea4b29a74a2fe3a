"""Fixtures for the routers adapter tests."""

from tests.rollout_app.support import started  # noqa: F401  (a fixture)
