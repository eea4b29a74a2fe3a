"""``database.url`` checked by its form, before SQLAlchemy is imported (the store itself is
opened on first use; SQLAlchemy's own checks of the URL run then)."""

from __future__ import annotations

import re

from hotfix.errors import ConfigError

URL_HINT = ("give a SQLAlchemy URL (postgresql+psycopg://user@host/db), "
            "or leave it empty for SQLite in .hotfix/")
_FORM = re.compile(r"[\w+]+://")  # how every URL SQLAlchemy parses begins


def refuse_malformed(url: str) -> None:
    """A ``ConfigError`` for a URL SQLAlchemy could never parse (it is not shown: it may
    hold a password)."""
    if not _FORM.match(url):
        raise ConfigError("database.url is not a database URL: it does not start with "
                          "dialect:// (or dialect+driver://)", hint=URL_HINT)
