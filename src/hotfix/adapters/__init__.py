"""Adapters: one module per real backend, each behind a Protocol in ``hotfix.ports``."""
