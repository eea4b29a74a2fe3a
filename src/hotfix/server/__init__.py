"""The team server: the REST API (and, beside it, the dashboard) over the same services.

Imported only by the commands that serve (``hotfix serve``): the CLI's start-up never pays
for FastAPI. ``app.create_app(settings, parts)`` is the factory uvicorn runs; docs/server.md
describes the interface the dashboard builds on."""
