"""Creating, reading, changing and deleting statuses, with their rules and translations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cstatus.contracts.configuration import StatusConfig, Translation
from cstatus.status_config.domain.errors import conflict, not_found
from cstatus.status_config.domain.ids import new_id
from cstatus.status_config.domain.model import Edit, StoredCategory, StoredStatus
from cstatus.status_config.domain.properties import (
    approval_by_default,
    default_properties,
    merge_properties,
    sticky_by_default,
)
from cstatus.status_config.domain.validation import (
    check_etag,
    check_rule_bounds,
    check_status,
    etag,
    parse,
)
from cstatus.status_config.service.ports import UnitOfWork
from cstatus.status_config.service.publication import publish_change, writable_tenant

__all__ = [
    "create_status",
    "delete_status",
    "get_status",
    "list_statuses",
    "set_rule",
    "set_status_translation",
    "update_status",
]


async def _category(uow: UnitOfWork, tenant: str, category_id: str) -> StoredCategory:
    found = await uow.repo.category(tenant, category_id)
    if found is None:
        raise not_found("category")
    return found


async def _status(uow: UnitOfWork, tenant: str, status_id: str) -> StoredStatus:
    found = await uow.repo.status(tenant, status_id)
    if found is None:
        raise not_found("status")
    return found


async def _checked(uow: UnitOfWork, tenant: str, status: StatusConfig, category_id: str) -> None:
    category = await _category(uow, tenant, category_id)
    siblings = [s.status for s in await uow.repo.statuses(tenant, category_id) if s.id != status.id]
    check_status(status, category.category, siblings)


async def create_status(
    uow: UnitOfWork, tenant: str, category_id: str, fields: Mapping[str, Any], *, edit: Edit
) -> StoredStatus:
    """A new status; its properties start from its system_state's defaults."""
    owner = await writable_tenant(uow, tenant)
    state = fields.get("system_state")
    if fields.get("rule") is not None:
        check_rule_bounds(fields["rule"], prefix="rule.")
    properties = merge_properties(default_properties(state), fields.get("properties") or {})
    status = parse(
        StatusConfig,
        {
            "sticky": sticky_by_default(state),
            "requires_approval": approval_by_default(state),
            **fields,
            "id": new_id("status"),
            "properties": properties.model_dump(mode="json"),
        },
    )
    await _checked(uow, tenant, status, category_id)
    stored = await uow.repo.add_status(tenant, category_id, status)
    await publish_change(uow, owner, edit)
    return stored


async def _replace(
    uow: UnitOfWork,
    tenant: str,
    status_id: str,
    changes: Mapping[str, Any],
    *,
    if_match: str | None,
    edit: Edit,
) -> StoredStatus:
    owner = await writable_tenant(uow, tenant)
    current = await _status(uow, tenant, status_id)
    check_etag(if_match, etag(current.version))
    changed = parse(StatusConfig, {**current.status.model_dump(mode="json"), **changes})
    await _checked(uow, tenant, changed, current.category_id)
    stored = await uow.repo.replace_status(tenant, changed)
    await publish_change(uow, owner, edit)
    return stored


async def update_status(
    uow: UnitOfWork,
    tenant: str,
    status_id: str,
    changes: Mapping[str, Any],
    *,
    if_match: str | None,
    edit: Edit,
) -> StoredStatus:
    """Change the given fields; only the named properties change. A status's `system_state` is
    fixed once it exists (SPEC §1 v2: guards do not drift with configuration)."""
    await writable_tenant(uow, tenant)  # lock before reading what the change builds on
    current = await _status(uow, tenant, status_id)
    updates = dict(changes)
    if "system_state" in changes and changes["system_state"] != current.status.system_state:
        raise conflict(
            "system_state_immutable",
            "a status's system_state cannot change once it exists (its holders keep the state "
            "they entered): create a new status instead",
            field="system_state",
        )
    if "properties" in changes:
        base = current.status.properties
        merged = merge_properties(base, changes.get("properties") or {})
        updates["properties"] = merged.model_dump(mode="json")
    if updates.get("rule") is not None:
        check_rule_bounds(updates["rule"], prefix="rule.")
    return await _replace(uow, tenant, status_id, updates, if_match=if_match, edit=edit)


async def set_rule(
    uow: UnitOfWork,
    tenant: str,
    status_id: str,
    rule: Mapping[str, Any] | None,
    *,
    if_match: str | None,
    edit: Edit,
) -> StoredStatus:
    """Replace the status's one rule (None removes it); only automatic categories have rules."""
    await writable_tenant(uow, tenant)
    if rule is not None:
        check_rule_bounds(dict(rule))
    else:
        current = await _status(uow, tenant, status_id)
        if current.status.rule is None:
            raise not_found("rule")
    return await _replace(uow, tenant, status_id, {"rule": rule}, if_match=if_match, edit=edit)


async def set_status_translation(
    uow: UnitOfWork,
    tenant: str,
    status_id: str,
    language: str,
    translation: Translation | None,
    *,
    if_match: str | None,
    edit: Edit,
) -> StoredStatus:
    """Set (or with None remove) the status's name and description in `language`."""
    await writable_tenant(uow, tenant)
    current = await _status(uow, tenant, status_id)
    translations = {k: v.model_dump(mode="json") for k, v in current.status.translations.items()}
    if translation is None and translations.pop(language, None) is None:
        raise not_found("translation")
    if translation is not None:
        translations[language] = translation.model_dump(mode="json")
    return await _replace(
        uow, tenant, status_id, {"translations": translations}, if_match=if_match, edit=edit
    )


async def delete_status(
    uow: UnitOfWork, tenant: str, status_id: str, *, if_match: str | None, edit: Edit
) -> None:
    """Only an archived status may go: customers may still hold it otherwise."""
    owner = await writable_tenant(uow, tenant)
    current = await _status(uow, tenant, status_id)
    check_etag(if_match, etag(current.version))
    if not current.status.archived:
        raise conflict(
            "archive_first", "customers may hold this status: archive it (archived: true) first"
        )
    await uow.repo.delete_status(tenant, status_id)
    await publish_change(uow, owner, edit)


async def list_statuses(uow: UnitOfWork, tenant: str, category_id: str) -> list[StoredStatus]:
    await _category(uow, tenant, category_id)
    return await uow.repo.statuses(tenant, category_id)


async def get_status(uow: UnitOfWork, tenant: str, status_id: str) -> StoredStatus:
    return await _status(uow, tenant, status_id)
