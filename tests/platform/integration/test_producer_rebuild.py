"""A producer that hit a fatal error is rebuilt on the next send (the review found the shared
producer never rebuilt: the outbox stalled silently while readiness stayed green)."""

from __future__ import annotations

from typing import Any

import pytest

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.kafka.producer import KafkaProducer
from cstatus.platform.settings import KafkaSettings

pytestmark = pytest.mark.integration


async def test_a_broken_producer_reports_unhealthy_and_is_rebuilt(
    stack: Any, new_topic: Any
) -> None:
    topic = await new_topic(partitions=1, with_dlq=False)
    producer = KafkaProducer(KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t")
    await producer.start()
    try:
        message = OutboxMessage(topic, b"k", b"v")
        await producer.send_batch([message])
        assert producer.healthy
        inner = producer._producer
        assert inner is not None
        await inner.stop()  # the client dies under it (as after a fatal sequence error)
        with pytest.raises(Exception):  # noqa: B017 - whatever the dead client raises
            await producer.send_batch([message])
        assert not producer.healthy  # readiness says so
        await producer.send_batch([message])  # rebuilt, and sends again
        assert (producer.healthy, producer.rebuilds) == (True, 1)
    finally:
        await producer.stop()
