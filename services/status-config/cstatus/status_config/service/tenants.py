"""Provisioning a tenant: its default language and, on request, the default categories (SPEC 1.6).

Idempotent: seeding adds only the default categories whose codes the tenant lacks, and a call that
changes nothing publishes nothing.
"""

from __future__ import annotations

from cstatus.contracts.configuration import ConfigPublished
from cstatus.status_config.domain.errors import not_found
from cstatus.status_config.domain.ids import new_id
from cstatus.status_config.domain.model import Edit, Tenant
from cstatus.status_config.domain.seed import default_categories
from cstatus.status_config.service.ports import UnitOfWork
from cstatus.status_config.service.publication import current_configuration, publish_change

__all__ = ["get_configuration", "get_tenant", "provision_tenant", "reading_tenant"]


async def provision_tenant(
    uow: UnitOfWork,
    tenant: str,
    *,
    default_language: str | None,
    seed_defaults: bool,
    edit: Edit,
) -> tuple[Tenant, bool]:
    """The provisioned tenant, and whether this call created it."""
    found = await uow.repo.tenant(tenant, lock=True)
    created = found is None
    current = found or Tenant(tenant, default_language or "en")
    changed = created
    if default_language is not None and default_language != current.default_language:
        current = Tenant(tenant, default_language, current.version)
        changed = True
    if changed:
        await uow.repo.save_tenant(current)
    if seed_defaults:
        existing = {c.category.code for c in await uow.repo.categories(tenant)}
        for category in default_categories(new_id):
            if category.code in existing:
                continue
            stored = await uow.repo.add_category(
                tenant, category.model_copy(update={"statuses": ()})
            )
            for status in category.statuses:
                await uow.repo.add_status(tenant, stored.id, status)
            changed = True
    if changed:
        current = await publish_change(uow, current, edit)
    return current, created


async def get_tenant(uow: UnitOfWork, tenant: str) -> Tenant:
    found = await uow.repo.tenant(tenant)
    if found is None:
        raise not_found("tenant")
    return found


async def get_configuration(uow: UnitOfWork, tenant: str) -> ConfigPublished:
    """What was last published for the tenant (the same document, the same version)."""
    return await current_configuration(uow, await get_tenant(uow, tenant))


async def reading_tenant(uow: UnitOfWork, tenant: str) -> Tenant:
    """The tenant for a read; an unprovisioned one reads as empty, in English."""
    return await uow.repo.tenant(tenant) or Tenant(tenant, "en")
