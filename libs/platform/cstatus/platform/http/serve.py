"""Run a service's app under uvicorn (used by each service's `__main__`)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

__all__ = ["serve"]


def serve(app: FastAPI, *, host: str, port: int) -> None:
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=30,
    )
