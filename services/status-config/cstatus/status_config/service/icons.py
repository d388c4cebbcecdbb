"""Uploading, serving and removing a status's icon."""

from __future__ import annotations

from cstatus.status_config.domain.errors import not_found
from cstatus.status_config.domain.icons import check_icon
from cstatus.status_config.domain.model import Edit, Icon, StoredStatus
from cstatus.status_config.domain.validation import check_etag, etag
from cstatus.status_config.service.ports import UnitOfWork
from cstatus.status_config.service.publication import publish_change, writable_tenant

__all__ = ["delete_icon", "get_icon", "get_public_icon", "icon_url", "put_icon"]


def icon_url(public_url: str, icon: Icon) -> str:
    """The icon's public, content-addressed URL: the same bytes give the same URL, new bytes a
    new one, so it can be cached for ever and read by any page without a token."""
    return f"{public_url.rstrip('/')}/v1/icons/{icon.digest}"


async def _status(uow: UnitOfWork, tenant: str, status_id: str) -> StoredStatus:
    found = await uow.repo.status(tenant, status_id)
    if found is None:
        raise not_found("status")
    return found


async def put_icon(
    uow: UnitOfWork,
    tenant: str,
    status_id: str,
    content: bytes,
    content_type: str | None,
    *,
    if_match: str | None,
    edit: Edit,
    public_url: str,
) -> tuple[StoredStatus, Icon]:
    """Store the icon (checked from its content) and point the status's `icon_url` at it."""
    icon = check_icon(content, content_type)
    owner = await writable_tenant(uow, tenant)
    current = await _status(uow, tenant, status_id)
    check_etag(if_match, etag(current.version))
    await uow.repo.save_icon(tenant, status_id, icon)
    stored = await uow.repo.replace_status(
        tenant, current.status.model_copy(update={"icon_url": icon_url(public_url, icon)})
    )
    await publish_change(uow, owner, edit)
    return stored, icon


async def delete_icon(
    uow: UnitOfWork, tenant: str, status_id: str, *, if_match: str | None, edit: Edit
) -> StoredStatus:
    owner = await writable_tenant(uow, tenant)
    current = await _status(uow, tenant, status_id)
    check_etag(if_match, etag(current.version))
    if await uow.repo.icon(tenant, status_id) is None:
        raise not_found("icon")
    await uow.repo.delete_icon(tenant, status_id)
    stored = await uow.repo.replace_status(
        tenant, current.status.model_copy(update={"icon_url": None})
    )
    await publish_change(uow, owner, edit)
    return stored


async def get_icon(uow: UnitOfWork, tenant: str, status_id: str) -> Icon:
    await _status(uow, tenant, status_id)
    icon = await uow.repo.icon(tenant, status_id)
    if icon is None:
        raise not_found("icon")
    return icon


async def get_public_icon(uow: UnitOfWork, digest: str) -> Icon:
    icon = await uow.repo.icon_by_digest(digest)
    if icon is None:
        raise not_found("icon")
    return icon
