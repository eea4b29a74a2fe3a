"""Use cases, one module per workflow. They return data; they never print or exit."""
