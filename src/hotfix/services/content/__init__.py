"""Content hotfixes: sync the catalog, change a zone through a template, publish, revert."""
