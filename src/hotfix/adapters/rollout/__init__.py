"""Rollout plumbing: the state files, the recorded-traffic (CSV) reader, the load generator."""
