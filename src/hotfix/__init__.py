"""hotfix: a production bug from report to a verified fix in production, on the record."""

__version__ = "0.1.0"
