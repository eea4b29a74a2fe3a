"""Metrics sources: what each request did (router-observed logs, Prometheus scrapes)."""
