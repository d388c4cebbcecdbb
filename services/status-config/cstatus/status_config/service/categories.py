"""Creating, reading, changing and deleting categories, and their translations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cstatus.contracts.configuration import CategoryConfig, Translation
from cstatus.status_config.domain.errors import conflict, not_found
from cstatus.status_config.domain.ids import new_id
from cstatus.status_config.domain.model import Edit, StoredCategory, StoredStatus
from cstatus.status_config.domain.validation import check_category, check_etag, etag, parse
from cstatus.status_config.service.ports import UnitOfWork
from cstatus.status_config.service.publication import publish_change, writable_tenant

__all__ = [
    "create_category",
    "delete_category",
    "get_category",
    "list_categories",
    "set_category_translation",
    "update_category",
]

CategoryView = tuple[StoredCategory, list[StoredStatus]]


async def _category(uow: UnitOfWork, tenant: str, category_id: str) -> StoredCategory:
    found = await uow.repo.category(tenant, category_id)
    if found is None:
        raise not_found("category")
    return found


async def _others(uow: UnitOfWork, tenant: str, category_id: str) -> list[CategoryConfig]:
    return [c.category for c in await uow.repo.categories(tenant) if c.id != category_id]


async def create_category(
    uow: UnitOfWork, tenant: str, fields: Mapping[str, Any], *, edit: Edit
) -> StoredCategory:
    owner = await writable_tenant(uow, tenant)
    category = parse(CategoryConfig, {**fields, "id": new_id("category"), "statuses": ()})
    check_category(category, await _others(uow, tenant, category.id))
    stored = await uow.repo.add_category(tenant, category)
    await publish_change(uow, owner, edit)
    return stored


async def update_category(
    uow: UnitOfWork,
    tenant: str,
    category_id: str,
    changes: Mapping[str, Any],
    *,
    if_match: str | None,
    edit: Edit,
) -> StoredCategory:
    owner = await writable_tenant(uow, tenant)
    current = await _category(uow, tenant, category_id)
    check_etag(if_match, etag(current.version))
    changed = parse(CategoryConfig, {**current.category.model_dump(mode="json"), **changes})
    statuses = [s.status for s in await uow.repo.statuses(tenant, category_id)]
    check_category(changed, await _others(uow, tenant, category_id), statuses)
    stored = await uow.repo.replace_category(tenant, changed)
    await publish_change(uow, owner, edit)
    return stored


async def set_category_translation(
    uow: UnitOfWork,
    tenant: str,
    category_id: str,
    language: str,
    translation: Translation | None,
    *,
    if_match: str | None,
    edit: Edit,
) -> StoredCategory:
    """Set (or with None remove) the category's name and description in `language`."""
    owner = await writable_tenant(uow, tenant)
    current = await _category(uow, tenant, category_id)
    check_etag(if_match, etag(current.version))
    translations = dict(current.category.translations)
    if translation is None and translations.pop(language, None) is None:
        raise not_found("translation")
    if translation is not None:
        translations[language] = translation
    changed = current.category.model_copy(update={"translations": translations})
    stored = await uow.repo.replace_category(tenant, changed)
    await publish_change(uow, owner, edit)
    return stored


async def delete_category(
    uow: UnitOfWork, tenant: str, category_id: str, *, if_match: str | None, edit: Edit
) -> None:
    """Only an archived category may go: customers may still hold its statuses otherwise."""
    owner = await writable_tenant(uow, tenant)
    current = await _category(uow, tenant, category_id)
    check_etag(if_match, etag(current.version))
    if not current.category.archived:
        raise conflict(
            "archive_first",
            "customers may hold this category's statuses: archive it (archived: true) first",
        )
    await uow.repo.delete_category(tenant, category_id)
    await publish_change(uow, owner, edit)


async def list_categories(uow: UnitOfWork, tenant: str) -> list[CategoryView]:
    statuses = await uow.repo.statuses(tenant)
    return [
        (c, [s for s in statuses if s.category_id == c.id])
        for c in await uow.repo.categories(tenant)
    ]


async def get_category(uow: UnitOfWork, tenant: str, category_id: str) -> CategoryView:
    category = await _category(uow, tenant, category_id)
    return category, await uow.repo.statuses(tenant, category_id)
