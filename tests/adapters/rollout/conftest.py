"""Fixtures for the rollout adapter tests."""

from tests.rollout_app.support import started as started
