"""Which tenants a process applies: every one, unless told otherwise.

A shared-broker aid, not a production feature: several copies of the platform on one broker and
database (the in-process services of the test suite, the reliability suite's runs, a development
run beside them) each apply only their own tenants and acknowledge the rest untouched. It sits in
front of a subscription's handler (`ServiceRuntime` wraps every one with `narrow`), so no consumer,
handler or Kafka setting knows about it; unset, `narrow` returns the handler itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord

__all__ = ["RecordsHandler", "TenantScope"]

RecordsHandler = Callable[[Sequence["ConsumerRecord[bytes, bytes]"]], Awaitable[None]]


class TenantScope(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CSTATUS_KAFKA_TENANT_", extra="ignore", frozen=True
    )

    prefix: str = Field(
        "", description="apply only events of tenants whose id starts with this (test isolation)"
    )
    exclude: str = Field(
        "",
        description="comma-separated tenant id prefixes whose events are skipped (development runs "
        "beside in-process tests)",
    )

    @cached_property
    def _excluded(self) -> tuple[str, ...]:
        return tuple(p for p in self.exclude.split(",") if p)

    @property
    def scoped(self) -> bool:
        return bool(self.prefix or self.exclude)

    def applies(self, tenant: str) -> bool:
        """Whether events of this tenant are applied by this process; the exclusions are parsed
        once, as this runs for every consumed record."""
        excluded = self._excluded
        return tenant.startswith(self.prefix) and not (excluded and tenant.startswith(excluded))

    def foreign(self, record: ConsumerRecord[bytes, bytes]) -> bool:
        """Whether a record's key (`{tenant}:{subject}`, or the bare tenant on tenant-wide topics)
        names a tenant this process does not apply. A record without a key is not foreign (the
        platform's producers key every record)."""
        if record.key is None:
            return False
        return not self.applies(record.key.partition(b":")[0].decode("utf-8", "replace"))

    def narrow(self, handler: RecordsHandler) -> RecordsHandler:
        """`handler`, given only the records of the tenants this process applies (the others are
        acknowledged with the batch, undecoded); `handler` itself when every tenant applies."""
        if not self.scoped:
            return handler

        async def narrowed(records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
            mine = [r for r in records if not self.foreign(r)]
            if mine:
                await handler(mine)

        return narrowed
