"""A topic moved to another consumer group keeps its place: nothing lost, nothing replayed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cstatus.contracts import topics
from cstatus.platform.kafka.adopt import adopt_offsets

pytestmark = pytest.mark.integration

MOVED = topics.PROPOSALS
STAYED = topics.CRM_CUSTOMERS


async def _commit(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    # no auto-commit: on stop it would commit the positions its fetcher had looked up, over ours
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def _committed(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        found = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in found.items() if meta.offset >= 0}


async def test_the_new_group_starts_where_the_old_one_stood_and_only_once(stack: Any) -> None:
    bootstrap, run = stack.kafka_bootstrap, uuid.uuid4().hex[:8]
    old, new = f"adopt-old-{run}", f"adopt-new-{run}"
    moved = [TopicPartition(MOVED, 0), TopicPartition(MOVED, 1)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([*moved, TopicPartition(STAYED, 0)])
    finally:
        await consumer.stop()
    await _commit(bootstrap, old, ends)

    assert await adopt_offsets(bootstrap, old=old, new=new, topics=(MOVED,)) == 2
    adopted = await _committed(bootstrap, new)
    assert adopted == {tp: ends[tp] for tp in moved}  # the topic that stayed is not taken

    # the new group moves on; adopting again (a restart, another replica) leaves it there
    ahead = {tp: offset + 1 for tp, offset in adopted.items()}
    await _commit(bootstrap, new, ahead)
    assert await adopt_offsets(bootstrap, old=old, new=new, topics=(MOVED,)) == 0
    assert await _committed(bootstrap, new) == ahead


async def test_a_group_that_never_read_the_topic_gives_nothing(stack: Any) -> None:
    run = uuid.uuid4().hex[:8]
    found = await adopt_offsets(
        stack.kafka_bootstrap, old=f"never-{run}", new=f"fresh-{run}", topics=(MOVED,)
    )
    assert found == 0
    assert await _committed(stack.kafka_bootstrap, f"fresh-{run}") == {}
