"""What a transaction leaves to do once it has committed: the restrictions to cache."""

from __future__ import annotations

from dataclasses import dataclass, field

from cstatus.assignment.adapters.customer_rows import Key
from cstatus.assignment.adapters.restrictions_cache import CachedRestrictions, RestrictionsCache

__all__ = ["AfterCommit"]


@dataclass(slots=True)
class AfterCommit:
    """Cache entries to write once the transaction that computed them has committed."""

    entries: dict[Key, CachedRestrictions] = field(default_factory=dict)

    def add(self, tenant: str, customer: str, entry: CachedRestrictions) -> None:
        known = self.entries.get((tenant, customer))
        if known is None or known.version < entry.version:
            self.entries[(tenant, customer)] = entry

    async def flush(self, cache: RestrictionsCache) -> None:
        """Write every entry in one Redis round trip."""
        await cache.put_many(self.entries)
        self.entries.clear()
