"""The schema revision this hotfix writes, apart from the tables so that reading it imports
no SQLAlchemy (``hotfix.adapters.store.lite`` checks a database against it)."""

# The newest migration in migrations/versions; tests/adapters/test_store_contract.py checks it
# against Alembic's own head. A database stamped with it needs no migration run. A new
# migration chains after it and bumps it here; then run python scripts/gen_schema.py.
SCHEMA_HEAD = "0010_content_images"
