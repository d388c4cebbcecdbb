"""Waiting for the pipeline: the configuration reaching the services, the feed being processed."""

from __future__ import annotations

from demo.api import Api
from demo.census import Census, census
from demo.feed import FeedEvent
from demo.producer import Publisher
from demo.waiting import wait_until

__all__ = ["wait_for_configuration", "wait_for_settled"]

_CATEGORIES = ("relationship", "lifecycle", "loyalty")
_STABLE_POLLS = 3


async def wait_for_configuration(
    api: Api, publisher: Publisher, first: FeedEvent, *, timeout_s: float
) -> None:
    """Publish the feed's first customer and wait until both deciding services know the tenant's
    whole configuration for them (the feed must not start before: customers seen before the
    configuration would get their default statuses late). The customer is re-sent while waiting.
    """
    path = f"/v1/customers/{first.subject}"
    polls = 0

    async def known() -> tuple[bool, str]:
        nonlocal polls
        polls += 1
        if polls % 5 == 1:
            await publisher.publish([first], label="first customer")
        customer = await api.call("GET", "assignment", path)
        activity = await api.call("GET", "rules-engine", path + "/activity")
        if customer.status_code != 200 or activity.status_code != 200:
            return False, "the first customer is not known yet"
        held = customer.json()["statuses"]
        evaluated = {e["category_code"] for e in activity.json()["evaluations"]}
        ready = all(c in held for c in _CATEGORIES) and held["relationship"] is not None
        return ready and evaluated >= set(
            _CATEGORIES
        ), f"assignment {sorted(held)}, rules {sorted(evaluated)}"

    await wait_until("the configuration to reach the services", known, timeout_s=timeout_s)


async def wait_for_settled(
    api: Api, customers: int, active: int, *, timeout_s: float, what: str = "the pipeline"
) -> Census:
    """Wait until every customer has statuses, every active one has left `lead`, and the counts
    per status stay the same for a few polls in a row; answers the last census."""
    seen: list[tuple[tuple[str, int], ...]] = []
    last: list[Census] = []

    async def settled() -> tuple[bool, str]:
        now = await census(api)
        last[:] = [now]
        relationship = now.count("relationship")
        held = now.customers - relationship[None]
        moved = held - relationship["lead"]
        shape = tuple(
            sorted((f"{c}:{s}", n) for c in _CATEGORIES for s, n in now.count(c).items() if s)
        )
        seen.append(shape)
        steady = len(seen) >= _STABLE_POLLS and len(set(seen[-_STABLE_POLLS:])) == 1
        done = held >= customers and moved >= active and steady
        return (
            done,
            f"{held}/{customers} customers have statuses, {moved}/{active} active ones left lead",
        )

    await wait_until(what, settled, timeout_s=timeout_s, interval_s=2.0)
    return last[0]
