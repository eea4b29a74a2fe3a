"""The hotfix database: SQLAlchemy over SQLite (default) or PostgreSQL."""
