"""Every change bumps the tenant's version and publishes its whole configuration, in the change's
transaction (through the outbox), on the compacted `customer-status.config.v1` keyed by tenant.

The tenant row is locked first in every write, so one tenant's writers are serialised and the
versions on the topic follow the order of the commits.
"""

from __future__ import annotations

from dataclasses import replace

from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.envelope import encode, new_event, tenant_key
from cstatus.contracts.topics import CONFIG
from cstatus.platform.tracing import producing
from cstatus.status_config.domain.document import build_configuration
from cstatus.status_config.domain.errors import ConfigError
from cstatus.status_config.domain.model import Edit, Tenant
from cstatus.status_config.service.ports import UnitOfWork

__all__ = [
    "MAX_CONFIGURATION_BYTES",
    "SOURCE",
    "current_configuration",
    "publish_change",
    "writable_tenant",
]

SOURCE = "status-config"
MAX_CONFIGURATION_BYTES = 768 * 1024
"""A tenant's whole configuration travels as one message: it must fit the broker's limit
(`message.max.bytes`, 1 MiB by default) with room to spare, or the change is refused."""


async def writable_tenant(uow: UnitOfWork, tenant: str) -> Tenant:
    """The tenant's row, locked for this transaction; a tenant must be provisioned first."""
    found = await uow.repo.tenant(tenant, lock=True)
    if found is None:
        raise ConfigError(
            409, "tenant_not_provisioned", "provision the tenant first with PUT /v1/tenant"
        )
    return found


async def current_configuration(uow: UnitOfWork, tenant: Tenant) -> ConfigPublished:
    categories = await uow.repo.categories(tenant.tenant)
    statuses = await uow.repo.statuses(tenant.tenant)
    return ConfigPublished(
        tenant=tenant.tenant,
        version=tenant.version,
        config=build_configuration(tenant, categories, statuses),
    )


async def publish_change(uow: UnitOfWork, tenant: Tenant, edit: Edit) -> Tenant:
    """Bump the version, keep the resulting document in the history with who made it, and
    enqueue it (call after the change is written)."""
    bumped = replace(tenant, version=tenant.version + 1)
    await uow.repo.save_tenant(bumped)
    document = await current_configuration(uow, bumped)
    ident = f"config:{bumped.tenant}:{bumped.version}"
    event = new_event(
        document,
        id=ident,
        source=SOURCE,
        tenant=bumped.tenant,
        subject=bumped.tenant,
        time=edit.at,
        traceparent=producing(
            "status-config publish", None, topic=CONFIG, **{"messaging.message.id": ident}
        ),
    )
    value = encode(event)
    if len(value) > MAX_CONFIGURATION_BYTES:  # the transaction rolls back: nothing half-applied
        raise ConfigError(
            413,
            "configuration_too_large",
            f"the tenant's configuration would be {len(value)} bytes; at most "
            f"{MAX_CONFIGURATION_BYTES} fit one message (fewer translations or statuses)",
        )
    await uow.repo.record_version(
        bumped.tenant,
        bumped.version,
        edit.at,
        edit.actor,
        document.config.model_dump(mode="json"),
    )
    await uow.publish(CONFIG, tenant_key(bumped.tenant), value)
    return bumped
