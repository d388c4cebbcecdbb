"""A tenant's customers read a page at a time, with what they hold and their activity, the next
page read while the caller works on this one (previews read every customer of a tenant)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

from cstatus.rules_engine.adapters.activity_store import activity_between, customers_of
from cstatus.rules_engine.adapters.views import holdings_between
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.tenant import Held

__all__ = ["Page", "pages", "read_ahead"]

Page = tuple[list[str], dict[str, dict[str, Held]], dict[str, list[ActivityEvent]]]


async def pages(
    conn: asyncpg.Connection,
    tenant: str,
    size: int,
    kinds: frozenset[str] | None,
    after: str | None = None,
    upto: str | None = None,
) -> AsyncIterator[Page]:
    """The tenant's customers after `after` up to `upto` a page at a time, with what they hold
    and their activity (range scans over the page's first to last id)."""
    cursor = after
    while page := await customers_of(conn, tenant, cursor, size, upto=upto):
        holdings = await holdings_between(conn, tenant, page[0], page[-1])
        activity = await activity_between(conn, tenant, page[0], page[-1], kinds)
        yield page, holdings, activity
        cursor = page[-1]


async def read_ahead(pages: AsyncIterator[Page]) -> AsyncIterator[Page]:
    """`pages`, the next one read while the caller evaluates this one: PostgreSQL finds and
    sends its rows on the other core (the connection is the reader's alone meanwhile)."""
    ahead: asyncio.Queue[Page | None] = asyncio.Queue(maxsize=1)

    async def read() -> None:
        async for page in pages:
            await ahead.put(page)
        await ahead.put(None)

    reader = asyncio.create_task(read())
    try:
        while (page := await ahead.get()) is not None:
            yield page
        await reader
    finally:
        if not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
