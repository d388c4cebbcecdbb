"""Faults: a TCP fault proxy (blackhole, added latency), and the stack's parts failing hard.

`tc netem` does not work on these kernels, so the services reach PostgreSQL and Redis through a
`FaultProxy` on loopback, which forwards bytes unchanged until told to hold them (a blackhole:
connections stay open, nothing moves, as in a network partition, until it heals) or to delay
them. The stack's parts are failed through `deploy/local/stack.sh fault …`.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FaultProxy", "Stack", "free_port"]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stack_sh() -> Path:
    """`deploy/local/stack.sh` of the checkout this package is installed from (editable)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "deploy/local/stack.sh"
        if candidate.exists():
            return candidate
    raise FileNotFoundError("deploy/local/stack.sh not found above the driver package")


class FaultProxy:
    """Forwards 127.0.0.1:`port` to `target`; `blackhole()` and `latency()` change how."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self._target = target
        self._server: asyncio.Server | None = None
        self._open = asyncio.Event()
        self._open.set()
        self._delay_s = 0.0
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

    def blackhole(self) -> None:
        self._open.clear()

    def latency(self, seconds: float) -> None:
        self._delay_s = seconds

    def heal(self) -> None:
        self._delay_s = 0.0
        self._open.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._open.wait()
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        self._writers -= {writer, up_writer}

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                await self._open.wait()
                if self._delay_s:
                    await asyncio.sleep(self._delay_s)
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()


@dataclass
class Stack:
    """The local stack's parts, failed the hard way (`deploy/local/stack.sh fault …`)."""

    log: list[str] = field(default_factory=list)

    def _fault(self, what: str) -> None:
        started = time.monotonic()
        done = subprocess.run(
            ["bash", str(_stack_sh()), "fault", what], capture_output=True, text=True, timeout=180
        )
        if done.returncode != 0:
            raise RuntimeError(f"stack fault {what}: {done.stdout}{done.stderr}")
        self.log.append(f"{what} ({time.monotonic() - started:.1f}s)")

    async def postgres_restart(self) -> None:
        await asyncio.to_thread(self._fault, "postgres-restart-immediate")

    async def kafka_kill(self) -> None:
        await asyncio.to_thread(self._fault, "kafka-kill")

    async def kafka_start(self) -> None:
        await asyncio.to_thread(self._fault, "kafka-start")

    async def redis_stop(self) -> None:
        await asyncio.to_thread(self._fault, "redis-stop")

    async def redis_start(self) -> None:
        await asyncio.to_thread(self._fault, "redis-start")

    async def redis_flushall(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url)
        try:
            await client.flushall()
        finally:
            await client.aclose()
        self.log.append("redis FLUSHALL")
