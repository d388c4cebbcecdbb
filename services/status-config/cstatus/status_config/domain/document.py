"""The tenant's configuration document published on `customer-status.config.v1`."""

from __future__ import annotations

from collections.abc import Sequence

from cstatus.contracts.configuration import TenantConfiguration
from cstatus.status_config.domain.model import StoredCategory, StoredStatus, Tenant

__all__ = ["build_configuration"]


def build_configuration(
    tenant: Tenant, categories: Sequence[StoredCategory], statuses: Sequence[StoredStatus]
) -> TenantConfiguration:
    """Categories in creation order, each with its statuses in creation order.

    Built from plain data so the whole document is validated again, nested models included.
    """
    return TenantConfiguration.model_validate(
        {
            "default_language": tenant.default_language,
            "categories": [
                {
                    **c.category.model_dump(mode="json"),
                    "statuses": [
                        s.status.model_dump(mode="json") for s in statuses if s.category_id == c.id
                    ],
                }
                for c in categories
            ],
        }
    )
