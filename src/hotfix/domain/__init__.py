"""Pure domain: values and decisions. No I/O, imports nothing outside ``hotfix.domain``."""
