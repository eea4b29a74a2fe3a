"""The throw-away sample project and the walk-through behind ``hotfix demo``."""
