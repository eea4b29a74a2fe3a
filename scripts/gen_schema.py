"""Write src/hotfix/adapters/store/schema_head.sql: the SQLite schema the migrations build.

A new SQLite record is created from that file in one script (``hotfix.adapters.store.lite
.create_at_head``) instead of importing Alembic and replaying every migration. Run this
after adding a migration; ``tests/adapters/test_schema_head.py`` fails until you do.

    python scripts/gen_schema.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hotfix.adapters.store.lite import SCHEMA_FILE, dump_schema


def built_by_migrations(where: Path) -> str:
    """The schema script of a fresh SQLite database migrated by Alembic to the head."""
    from hotfix.adapters.store.database import Database

    path = where / "migrated.db"
    Database(f"sqlite:///{path}", new_from_schema=False).close()
    return dump_schema(path)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        SCHEMA_FILE.write_text(built_by_migrations(Path(tmp)), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
