"""Moving topics between consumer groups without losing or replaying their history.

When a release moves a topic from one group of a service to another (assignment's proposals,
commands and configuration moved to their own `assignment-decisions` group), the new group has no
committed offsets and would start at the earliest record. `adopt_offsets` gives it the old group's
committed offsets for those topics, once, before it joins: the partitions it already has offsets
for are left alone, so adopting again (a restart, a second replica) changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

__all__ = ["adopt_offsets"]

log = logging.getLogger(__name__)


async def adopt_offsets(bootstrap: str, *, old: str, new: str, topics: Sequence[str]) -> int:
    """Commit for group `new` the offsets group `old` committed on `topics`, where `new` has
    none; how many partitions were adopted."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        theirs = await admin.list_consumer_group_offsets(old)
        mine = await admin.list_consumer_group_offsets(new)
    finally:
        await admin.close()
    had = {tp for tp, meta in mine.items() if meta.offset >= 0}
    wanted: dict[TopicPartition, int] = {
        tp: meta.offset
        for tp, meta in theirs.items()
        if tp.topic in topics and meta.offset >= 0 and tp not in had
    }
    if not wanted:
        return 0
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=new, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(wanted))
        await consumer.commit(wanted)
    except KafkaError as error:  # a replica already joined the group: it adopted them
        log.warning("offsets of %s not adopted by %s: %r", old, new, error)
        return 0
    finally:
        await consumer.stop()
    log.info("group %s adopted %d partition offsets of %s (%s)", new, len(wanted), old, topics)
    return len(wanted)
