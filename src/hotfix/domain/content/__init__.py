"""Content hotfixes: zones, pre-approved templates and their typed slots (docs/content.md)."""
