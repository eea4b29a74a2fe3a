"""The git CLI, through one subprocess seam (``hotfix.adapters.git.cmd``)."""
