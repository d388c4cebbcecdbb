"""Only data errors are poison: a database that is unreachable, restarting, read-only, full,
overloaded or timing out makes a consumer wait, never dead-letter (the review found such errors
dead-lettered after ~3 s with their offsets committed)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, MessageSizeTooLargeError
from aiokafka.structs import ConsumerRecord
from redis.exceptions import ConnectionError as RedisConnectionError

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.kafka.consumer import Decoded, ReliableBatchConsumer, is_transient
from cstatus.platform.kafka.dead_letters import DeadLetters

pytestmark = pytest.mark.unit

E = asyncpg.exceptions

INFRASTRUCTURE = [
    E.TooManyConnectionsError("sorry, too many clients already"),
    E.CrashShutdownError("the database system is in recovery mode"),
    E.AdminShutdownError("terminating connection due to administrator command"),
    E.CannotConnectNowError("the database system is starting up"),
    E.ReadOnlySQLTransactionError("cannot execute INSERT in a read-only transaction"),
    E.DiskFullError("could not extend file: No space left on device"),
    E.OutOfMemoryError("out of memory"),
    E.QueryCanceledError("canceling statement due to statement timeout"),
    E.LockNotAvailableError("could not obtain lock"),
    E.SerializationError("could not serialize access"),
    E.DeadlockDetectedError("deadlock detected"),
    E.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    TimeoutError(),
    RedisConnectionError("Connection refused"),
    KafkaConnectionError("no broker"),
    KafkaTimeoutError(),
]
DATA = [
    E.UniqueViolationError("duplicate key"),
    E.NotNullViolationError("null value"),
    E.InvalidTextRepresentationError("invalid input syntax"),
    E.NumericValueOutOfRangeError("out of range"),
    ValueError("bad data"),
    MessageSizeTooLargeError(),
]


@pytest.mark.parametrize("error", INFRASTRUCTURE, ids=lambda e: type(e).__name__)
def test_infrastructure_errors_are_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize("error", DATA, ids=lambda e: type(e).__name__)
def test_data_errors_are_poison(error: BaseException) -> None:
    assert not is_transient(error)


class Sink:
    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        self.sent += messages


def _record(offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, offset, 0, 0, b"k", b"v", None, 1, 1, [])


async def test_a_full_database_makes_the_consumer_wait_beyond_max_tries_not_dead_letter() -> None:
    failures = [E.TooManyConnectionsError("too many"), E.DiskFullError("full")] * 4
    handled: list[int] = []

    async def handle(batch: Sequence[Decoded[bytes]]) -> None:
        if failures:
            raise failures.pop()
        handled.extend(d.record.offset for d in batch)

    sink = Sink()
    consume = ReliableBatchConsumer(
        decode=lambda r: r.value,
        handle=handle,
        dead_letters=DeadLetters(sink, group="g"),
        max_tries=2,
        backoff_s=0.001,
        max_backoff_s=0.002,
    )
    await consume([_record(1), _record(2)])
    assert (handled, sink.sent) == ([1, 2], [])
