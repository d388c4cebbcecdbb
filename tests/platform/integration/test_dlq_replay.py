"""The runbook's dead-letter replay: a dry run sends nothing; a replay publishes each selected
message once to the topic it came from, with its key and headers but none of the x-dlq ones."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from cstatus.driver.replay import main, replay
from cstatus.platform.kafka.dead_letters import dead_letter_of

pytestmark = pytest.mark.integration


class ContractError(ValueError):
    pass


def _record(topic: str, offset: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic, 0, offset, 0, 0, b"t1|c-1", value, None, 6, len(value), [("traceparent", b"00-x")]
    )


async def test_a_dry_run_sends_nothing_and_a_replay_sends_each_selected_message_once(
    stack: Any, new_topic: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    topic = await new_topic()
    dlq = f"{topic}.dlq"
    letters = [
        dead_letter_of(
            _record(topic, 5, b"{bad"), ContractError("no"), group="rules-engine", tries=1
        ),
        dead_letter_of(
            _record(topic, 5, b"{bad"), ContractError("no"), group="assignment", tries=1
        ),
        dead_letter_of(_record(topic, 6, b"{worse"), KeyError("k"), group="assignment", tries=5),
    ]
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        for m in letters:
            await producer.send_and_wait(m.topic, m.value, key=m.key, headers=list(m.headers))
    finally:
        await producer.stop()

    dry = await replay(stack.kafka_bootstrap, dlq, dry_run=True)
    assert (dry.read, dry.selected, dry.replayed) == (3, 2, 0)
    assert dry.by_target == {(topic, "ContractError"): 1, (topic, "KeyError"): 1}

    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        assert (await consumer.end_offsets([tp]))[tp] == 0, "a dry run published"

        done = await replay(stack.kafka_bootstrap, dlq, error_type="ContractError")
        assert (done.selected, done.replayed) == (1, 1)
        consumer.assign([tp])
        consumer.seek(tp, 0)
        got = (await consumer.getmany(tp, timeout_ms=10_000)).get(tp, [])
        assert [(r.key, r.value) for r in got] == [(b"t1|c-1", b"{bad")]
        headers = dict(got[0].headers)
        assert headers["traceparent"] == b"00-x"
        assert headers["x-replayed-from"].startswith(f"{dlq}:0:".encode())
        assert not [k for k in headers if k.startswith("x-dlq-")]
    finally:
        await consumer.stop()

    command = [dlq, "--bootstrap", stack.kafka_bootstrap, "--group", "assignment", "--dry-run"]
    assert await asyncio.to_thread(main, command) == 0
    printed = capsys.readouterr().out
    assert f"{dlq}: read 3, selected 2, would replay 2" in printed
