"""`TenantScope`: which tenants a process applies (a shared-broker aid; every tenant by default),
decided from a record's key before anything is decoded."""

from collections.abc import Sequence

import pytest
from aiokafka import ConsumerRecord

from cstatus.platform.tenant_scope import TenantScope

pytestmark = pytest.mark.unit


def _record(key: bytes | None) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 0, 0, 0, key, b"{}", None, 0, 2, [])


def test_without_prefixes_every_tenant_applies() -> None:
    assert TenantScope().applies("acme")
    assert not TenantScope().scoped


def test_the_prefix_keeps_only_its_tenants() -> None:
    scope = TenantScope(prefix="re-")
    assert scope.applies("re-1")
    assert not scope.applies("acme")


def test_excluded_prefixes_are_skipped() -> None:
    scope = TenantScope(exclude="as-,re-")
    assert not scope.applies("as-1")
    assert not scope.applies("re-2")
    assert scope.applies("demo")


def test_the_key_names_the_tenant_with_or_without_a_subject() -> None:
    scope = TenantScope(prefix="re-")
    assert not scope.foreign(_record(b"re-1:c-1"))
    assert not scope.foreign(_record(b"re-1"))  # tenant-wide topics key by the bare tenant
    assert scope.foreign(_record(b"acme:c-1"))
    assert scope.foreign(_record(b"acme"))
    assert not scope.foreign(_record(None))  # decoded; the consumer judges it


async def test_narrow_hands_over_only_the_records_of_applied_tenants() -> None:
    seen: list[list[bytes | None]] = []

    async def handler(records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        seen.append([r.key for r in records])

    assert TenantScope().narrow(handler) is handler  # unscoped: nothing in front
    narrowed = TenantScope(prefix="re-").narrow(handler)
    await narrowed([_record(b"re-1:a"), _record(b"acme:b"), _record(b"re-2")])
    await narrowed([_record(b"acme:c")])  # nothing of ours: the handler is not called
    assert seen == [[b"re-1:a", b"re-2"]]
