"""Pseudonyms of an erased customer's business and event ids (SPEC §1 v2, erasure).

The same function as the SQL of `adapters/activity_store.erase_activity`, so an event of the
customer that arrives after the erasure (a late cancellation, say) pairs with what it cancels.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from cstatus.rules_engine.domain.facts import ActivityEvent

__all__ = ["pseudonym", "pseudonymised"]


def pseudonym(tenant: str, customer: str, value: str) -> str:
    digest = hashlib.sha256(f"{tenant}:{customer}:{value}".encode()).hexdigest()
    return f"x-{digest[:32]}"


def pseudonymised(tenant: str, customer: str, event: ActivityEvent) -> ActivityEvent:
    """The event as an erased customer's activity keeps it: ids replaced, counts intact."""
    return replace(
        event,
        event_id=pseudonym(tenant, customer, event.event_id),
        ref=pseudonym(tenant, customer, event.ref),
    )
