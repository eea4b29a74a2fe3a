"""Fixtures for the metrics adapter tests."""

from tests.rollout_app.support import started  # noqa: F401  (a fixture)
