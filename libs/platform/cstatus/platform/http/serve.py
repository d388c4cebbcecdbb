"""Run a service: `python -m cstatus.<service> [serve | migrate]` (each service's `__main__`).

`serve` (the default) runs the app under uvicorn. `migrate` applies the service's migrations as
the schema's owner (`CSTATUS_PG_MIGRATION_DSN`), grants the service's own role (the user of
`CSTATUS_PG_DSN`) its rights, prints what it applied and exits: the Helm chart's migrations job,
after which the services start with `CSTATUS_PG_MIGRATE_ON_START=false`.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from cstatus.platform.settings import ServiceSettings

__all__ = ["main", "serve"]

S = TypeVar("S", bound=ServiceSettings)


def _shared_socket(host: str, port: int) -> socket.socket:
    """A listening socket that other processes may bind too (SO_REUSEPORT): the kernel spreads
    the connections over them, so several processes of a service serve one port."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(app: FastAPI, *, host: str, port: int, reuse_port: bool = False) -> None:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=30,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[_shared_socket(host, port)] if reuse_port else None)


def main(
    name: str,
    settings: S,
    create_app: Callable[[S], FastAPI],
    argv: Sequence[str] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m cstatus.{name.replace('-', '_')}")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=("serve", "migrate"),
        help="serve the service (default), or apply its migrations and grants and exit",
    )
    command = parser.parse_args(argv).command
    app = create_app(settings)
    if command == "migrate":
        applied = asyncio.run(app.state.runtime.migrate())
        schema = app.state.runtime.schema
        print(f"{name}: schema {schema}: {len(applied)} migrations applied", *applied, sep="\n  ")
        return 0
    serve(
        app,
        host=settings.http_host,
        port=settings.http_port,
        reuse_port=settings.http_reuse_port,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run a service's own module: python -m cstatus.<service>")
