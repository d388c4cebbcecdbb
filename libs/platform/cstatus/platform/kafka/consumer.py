"""At-least-once batch consumption with bounded tries and dead letters.

A batch of records is decoded; records that cannot be decoded go straight to the dead-letter topic
(trying again cannot fix them). The rest is handed to the service's handler as one batch, which does
its work in one transaction. If the handler fails:

- on a *transient* error (database or broker unreachable) the batch is tried again with backoff,
  without limit: the partition waits rather than losing or dead-lettering good messages;
- on any other error, a batch of several is split in halves, and those again, until the failing
  message is on its own (so one poison message cannot hold up the others, and a big batch costs a
  few more transactions rather than one per message); a single message that still fails after `max_tries`
  goes to the dead-letter topic with its error.

The offsets are committed by the caller only after this returns, i.e. after the work is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from aiokafka.structs import ConsumerRecord
from redis.exceptions import RedisError

from cstatus.contracts.errors import UnknownEventType
from cstatus.platform.kafka import tolerance
from cstatus.platform.kafka.dead_letters import DeadLetters

__all__ = ["Decoded", "ReliableBatchConsumer", "TransientError", "is_transient"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class TransientError(Exception):
    """Raise it from a handler for a failure that a later try may not have (a dependency is down)."""


_TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    OSError,
    ConnectionError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    RedisError,
    KafkaConnectionError,
    KafkaTimeoutError,
)

_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "54", "55", "57", "58", "XX"})
"""SQLSTATE classes of the database's condition, not of the message: connection exception (08),
transaction rollback (40: serialization, deadlock), insufficient resources (53: too many
connections, disk full, out of memory), program limit (54), object not in prerequisite state
(55: lock not available), operator intervention (57: shutdown, crash restart, cannot connect now,
statement timeout), system error (58) and internal error (XX)."""
_TRANSIENT_SQLSTATES = frozenset(
    {
        "25006",  # read_only_sql_transaction: a replica, or the primary right after a failover
        "25P03",  # idle_in_transaction_session_timeout
    }
)


def is_transient(error: BaseException) -> bool:
    """Whether a later try may succeed: the failure is of a dependency (unreachable, restarting,
    read-only, full, overloaded, timing out), not of the message. Only data errors are poison:
    a message failing with one of those is dead-lettered after its tries; with a transient
    error the consumer waits, without limit."""
    if isinstance(error, _TRANSIENT):
        return True
    if isinstance(error, asyncpg.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state[:2] in _TRANSIENT_SQLSTATE_CLASSES or state in _TRANSIENT_SQLSTATES
    if isinstance(error, KafkaError) and getattr(error, "retriable", False):
        return True
    cause = error.__cause__ or error.__context__
    return cause is not None and cause is not error and is_transient(cause)


@dataclass(frozen=True, slots=True)
class Decoded(Generic[T]):
    record: ConsumerRecord[bytes, bytes]
    value: T


class ReliableBatchConsumer(Generic[T]):
    def __init__(
        self,
        *,
        decode: Callable[[ConsumerRecord[bytes, bytes]], T],
        handle: Callable[[Sequence[Decoded[T]]], Awaitable[None]],
        dead_letters: DeadLetters,
        max_tries: int = 5,
        backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
    ) -> None:
        self._decode = decode
        self._handle = handle
        self._dead_letters = dead_letters
        self._max_tries = max_tries
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s

    async def __call__(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        decoded: list[Decoded[T]] = []
        for record in records:
            try:
                decoded.append(Decoded(record, self._decode(record)))
            except UnknownEventType as newer:  # a newer producer's type: acknowledged, skipped
                tolerance.skipped_type(newer.topic, newer.event_type)
            except Exception as error:
                log.warning(
                    "dead-lettering undecodable message",
                    extra={"topic": record.topic, "offset": record.offset, "error": str(error)},
                )
                await self._dead_letters.send(record, error, tries=1)
        if decoded:
            await self._process(decoded)

    async def _process(self, batch: Sequence[Decoded[T]]) -> None:
        tries = 0
        while True:
            try:
                await self._handle(batch)
                return
            except Exception as error:
                if is_transient(error):
                    await self._pause(tries, error, transient=True)
                    tries += 1
                    continue
                if len(batch) > 1:  # halves until the failing message is alone: a few
                    middle = len(batch) // 2  # transactions, not one per message of the batch
                    await self._process(batch[:middle])
                    await self._process(batch[middle:])
                    return
                tries += 1
                if tries >= self._max_tries:
                    log.error(
                        "dead-lettering message after %d tries",
                        tries,
                        extra={"topic": batch[0].record.topic, "offset": batch[0].record.offset},
                        exc_info=error,
                    )
                    await self._dead_letters.send(batch[0].record, error, tries=tries)
                    return
                await self._pause(tries, error, transient=False)

    async def _pause(self, tries: int, error: BaseException, *, transient: bool) -> None:
        delay = min(self._max_backoff_s, self._backoff_s * (2 ** min(tries, 10)))
        log.warning(
            "handler failed (%s), trying again in %.2fs: %r",
            "transient" if transient else f"try {tries}",
            delay,
            error,
        )
        await asyncio.sleep(delay)
