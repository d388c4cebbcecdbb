"""Reading the configuration history (SPEC 1.9): who changed what, when, and each version whole."""

from __future__ import annotations

from cstatus.status_config.domain.errors import not_found
from cstatus.status_config.domain.history import ObjectChange, changes_between
from cstatus.status_config.domain.model import HistoryEntry
from cstatus.status_config.service.ports import UnitOfWork

__all__ = ["Change", "configuration_history", "configuration_version"]

Change = tuple[HistoryEntry, list[ObjectChange] | None]
"""A version and what it changed against the one before (`None`: that one was made before the
history was kept, so what changed is unknown)."""


async def configuration_history(
    uow: UnitOfWork, tenant: str, *, before_version: int | None, limit: int
) -> list[Change]:
    """Newest first, at most `limit` versions older than `before_version` (all when `None`)."""
    entries = await uow.repo.history(tenant, before_version=before_version, limit=limit + 1)
    shown = entries[:limit]
    if shown and len(entries) == len(shown) and shown[-1].version > 1:
        earlier = await uow.repo.version(tenant, shown[-1].version - 1)
        if earlier is not None:
            entries.append(earlier)
    found: list[Change] = []
    for entry, older in zip(shown, [*entries[1:], None], strict=False):
        if entry.version == 1:
            found.append((entry, changes_between(None, entry.document)))
        elif older is not None and older.version == entry.version - 1:
            found.append((entry, changes_between(older.document, entry.document)))
        else:
            found.append((entry, None))
    return found


async def configuration_version(uow: UnitOfWork, tenant: str, version: int) -> HistoryEntry:
    found = await uow.repo.version(tenant, version)
    if found is None:
        raise not_found("configuration version")
    return found
