"""Rollout plumbing shared by the deploy service: the backend registry and the load generator."""
