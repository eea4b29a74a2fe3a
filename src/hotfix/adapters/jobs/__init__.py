"""The background jobs' runners (``hotfix.ports.jobs``): procrastinate on PostgreSQL, and a
thread in-process."""
