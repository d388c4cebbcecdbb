"""Routes of the tenant, its published configuration and its categories."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import JSONResponse

from cstatus.contracts.configuration import Translation
from cstatus.platform.http.auth import Principal
from cstatus.status_config.domain.model import Tenant
from cstatus.status_config.entrypoints.http_common import Admin, Api, ApiDep, Reading, answer
from cstatus.status_config.entrypoints.http_models import (
    LANGUAGE_PATTERN,
    CategoryIn,
    CategoryPatch,
    TenantIn,
    TranslationIn,
)
from cstatus.status_config.entrypoints.views import (
    CategoryList,
    CategoryView,
    ConfigurationView,
    HistoryList,
    Reader,
    TenantView,
    VersionView,
    category_view,
    history_view,
)
from cstatus.status_config.service import categories, history, tenants

__all__ = ["router"]

AcceptLanguage = Annotated[str | None, Header()]
IfMatch = Annotated[str | None, Header()]
Language = Annotated[str, Path(pattern=LANGUAGE_PATTERN, max_length=35)]


router = APIRouter(tags=["configuration"])


def tenant_body(tenant: Tenant) -> dict[str, object]:
    return {
        "tenant": tenant.tenant,
        "default_language": tenant.default_language,
        "version": tenant.version,
    }


@router.put("/v1/tenant", response_model=TenantView, responses={201: {"model": TenantView}})
async def provision(api: ApiDep, body: TenantIn, who: Admin) -> JSONResponse:
    """Provision the caller's tenant (idempotent); `seed_defaults` adds SPEC 1.6's categories."""
    async with api.unit_of_work() as uow:
        tenant, created = await tenants.provision_tenant(
            uow,
            who.tenant,
            default_language=body.default_language,
            seed_defaults=body.seed_defaults,
            edit=api.edit(who),
        )
    return answer(tenant_body(tenant), status_code=201 if created else 200)


@router.get("/v1/tenant", response_model=TenantView)
async def read_tenant(api: ApiDep, who: Reading) -> JSONResponse:
    async with api.unit_of_work() as uow:
        tenant = await tenants.get_tenant(uow, who.tenant)
    return answer(tenant_body(tenant))


@router.get("/v1/config", response_model=ConfigurationView)
async def read_configuration(api: ApiDep, who: Reading) -> JSONResponse:
    """The tenant's whole configuration: what `customer-status.config.v1` carries last."""
    async with api.unit_of_work() as uow:
        published = await tenants.get_configuration(uow, who.tenant)
    return answer(published.model_dump(mode="json"), version=published.version)


@router.get("/v1/config/history", response_model=HistoryList)
async def read_history(
    api: ApiDep,
    who: Reading,
    before_version: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JSONResponse:
    """Every configuration change, newest first: who made it, when, and what it changed
    (each changed rule, status or category before and after)."""
    async with api.unit_of_work() as uow:
        found = await history.configuration_history(
            uow, who.tenant, before_version=before_version, limit=limit
        )
    last = found[-1][0].version if len(found) == limit else None
    return answer(
        {
            "items": [history_view(entry, changes) for entry, changes in found],
            "next_before_version": last if last is not None and last > 1 else None,
        }
    )


@router.get("/v1/config/history/{version}", response_model=VersionView)
async def read_version(
    api: ApiDep, version: Annotated[int, Path(ge=1)], who: Reading
) -> JSONResponse:
    """A configuration version whole: the rules an automatic decision naming it used."""
    async with api.unit_of_work() as uow:
        entry = await history.configuration_version(uow, who.tenant, version)
    return answer(
        {
            "version": entry.version,
            "changed_at": entry.at.isoformat(),
            "actor": entry.actor,
            "config": entry.document,
        }
    )


@router.get("/v1/categories", response_model=CategoryList)
async def list_categories(
    api: ApiDep, who: Reading, accept_language: AcceptLanguage = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), accept_language)
        found = await categories.list_categories(uow, who.tenant)
    return answer({"items": [category_view(c, s, reader) for c, s in found]})


@router.post("/v1/categories", status_code=201, response_model=CategoryView)
async def create_category(api: ApiDep, body: CategoryIn, who: Admin) -> JSONResponse:
    async with api.unit_of_work() as uow:
        stored = await categories.create_category(
            uow, who.tenant, body.model_dump(exclude_none=True), edit=api.edit(who)
        )
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), None)
    return answer(
        category_view(stored, [], reader),
        version=stored.version,
        status_code=201,
        location=f"/v1/categories/{stored.id}",
    )


@router.get("/v1/categories/{category_id}", response_model=CategoryView)
async def read_category(
    api: ApiDep, category_id: str, who: Reading, accept_language: AcceptLanguage = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), accept_language)
        stored, statuses = await categories.get_category(uow, who.tenant, category_id)
    view = category_view(stored, statuses, reader)
    return answer(view, version=stored.version, language=view["language"])


@router.patch("/v1/categories/{category_id}", response_model=CategoryView)
async def update_category(
    api: ApiDep, category_id: str, body: CategoryPatch, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        stored = await categories.update_category(
            uow,
            who.tenant,
            category_id,
            body.model_dump(exclude_unset=True),
            if_match=if_match,
            edit=api.edit(who),
        )
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), None)
        _, statuses = await categories.get_category(uow, who.tenant, category_id)
    return answer(category_view(stored, statuses, reader), version=stored.version)


@router.delete("/v1/categories/{category_id}", status_code=204)
async def delete_category(
    api: ApiDep, category_id: str, who: Admin, if_match: IfMatch = None
) -> Response:
    """Refused (409 `archive_first`) unless the category is archived."""
    async with api.unit_of_work() as uow:
        await categories.delete_category(
            uow, who.tenant, category_id, if_match=if_match, edit=api.edit(who)
        )
    return Response(status_code=204)


@router.put("/v1/categories/{category_id}/translations/{language}", response_model=CategoryView)
async def translate_category(
    api: ApiDep,
    category_id: str,
    language: Language,
    body: TranslationIn,
    who: Admin,
    if_match: IfMatch = None,
) -> JSONResponse:
    return await _translate(api, category_id, language, body, who, if_match)


@router.delete("/v1/categories/{category_id}/translations/{language}", response_model=CategoryView)
async def untranslate_category(
    api: ApiDep, category_id: str, language: Language, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    return await _translate(api, category_id, language, None, who, if_match)


async def _translate(
    api: Api,
    category_id: str,
    language: str,
    body: TranslationIn | None,
    who: Principal,
    if_match: str | None,
) -> JSONResponse:
    translation = (
        None if body is None else Translation.model_validate(body.model_dump(exclude_none=True))
    )
    async with api.unit_of_work() as uow:
        stored = await categories.set_category_translation(
            uow,
            who.tenant,
            category_id,
            language,
            translation,
            if_match=if_match,
            edit=api.edit(who),
        )
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), None)
        _, statuses = await categories.get_category(uow, who.tenant, category_id)
    return answer(category_view(stored, statuses, reader), version=stored.version)
