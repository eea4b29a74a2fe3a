"""The app factory uvicorn runs: ``create_app(settings, parts)``.

``parts`` (the record's store per project, the identities, the clock) come from
``hotfix.wiring.open_server``; tests pass fakes. The dashboard mounts its routes here too
(``hotfix.server.dashboard``, when present)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from hotfix import __version__
from hotfix.server import dashboard, ofrep, problems
from hotfix.server.api import (
    actions,
    audit,
    content,
    deployments,
    flags,
    metrics,
    notify,
    projects,
    records,
    transfer,
    users,
)
from hotfix.server.state import ServerState
from hotfix.services.server import ServerParts, ServerSettings

ROUTERS = (projects.router, records.records_router, records.router, actions.router,
           transfer.router, users.router, flags.router, ofrep.router, content.router,
           content.public, audit.router, metrics.router, notify.router,
           deployments.router)


def create_app(settings: ServerSettings, parts: ServerParts) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if parts.jobs is not None:
            parts.jobs.start()  # local mode's runner; on PostgreSQL hotfix worker runs them
        try:
            yield
        finally:
            parts.close()  # stops the jobs first: the run in progress finishes

    app = FastAPI(title="hotfix", version=__version__, lifespan=lifespan,
                  summary="The team server: hotfixes, their timelines, actions, users.",
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.hotfix = ServerState(settings, parts)
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    dashboard.install(app)

    @app.get("/healthz", tags=["server"], summary="Liveness: the server answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of ``app``, through included routers: the route table the
    authorization test is generated from."""
    return list(_walk(app.routes))


def _walk(routes: Iterable[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)
