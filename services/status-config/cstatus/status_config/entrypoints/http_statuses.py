"""Routes of statuses: the statuses themselves, their rule, translations and icon."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.responses import JSONResponse

from cstatus.contracts.configuration import Translation
from cstatus.platform.http.auth import Principal
from cstatus.status_config.domain.icons import ICON_TYPES, MAX_ICON_BYTES
from cstatus.status_config.domain.model import Icon, StoredStatus
from cstatus.status_config.entrypoints.http_common import Admin, Api, ApiDep, Reading, answer
from cstatus.status_config.entrypoints.http_models import (
    LANGUAGE_PATTERN,
    RuleIn,
    StatusIn,
    StatusPatch,
    TranslationIn,
)
from cstatus.status_config.entrypoints.views import Reader, StatusList, StatusView, status_view
from cstatus.status_config.service import icons, statuses, tenants

__all__ = ["router"]

AcceptLanguage = Annotated[str | None, Header()]
IfMatch = Annotated[str | None, Header()]
IfNoneMatch = Annotated[str | None, Header()]
Language = Annotated[str, Path(pattern=LANGUAGE_PATTERN, max_length=35)]

_ICON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": f"the image itself, at most {MAX_ICON_BYTES} bytes",
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ICON_TYPES},
    }
}


_ICON_SAFETY = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
Digest = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the icon's content digest")]


def _icon_response(icon: Icon, headers: dict[str, str], if_none_match: str | None) -> Response:
    if if_none_match is not None and icon.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(icon.content, media_type=icon.content_type, headers=headers)


router = APIRouter(tags=["statuses"])


async def shown(
    api: Api, stored: StoredStatus, who: Principal, status_code: int = 200
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), None)
    return answer(status_view(stored, reader), version=stored.version, status_code=status_code)


@router.get("/v1/categories/{category_id}/statuses", response_model=StatusList)
async def list_statuses(
    api: ApiDep, category_id: str, who: Reading, accept_language: AcceptLanguage = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), accept_language)
        found = await statuses.list_statuses(uow, who.tenant, category_id)
    return answer({"items": [status_view(s, reader) for s in found]})


@router.post("/v1/categories/{category_id}/statuses", status_code=201, response_model=StatusView)
async def create_status(api: ApiDep, category_id: str, body: StatusIn, who: Admin) -> JSONResponse:
    """A status; its properties start from its system_state's defaults, then `properties`."""
    async with api.unit_of_work() as uow:
        stored = await statuses.create_status(
            uow, who.tenant, category_id, body.model_dump(exclude_none=True), edit=api.edit(who)
        )
    response = await shown(api, stored, who, 201)
    response.headers["Location"] = f"/v1/statuses/{stored.id}"
    return response


@router.get("/v1/statuses/{status_id}", response_model=StatusView)
async def read_status(
    api: ApiDep, status_id: str, who: Reading, accept_language: AcceptLanguage = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        reader = Reader.of(await tenants.reading_tenant(uow, who.tenant), accept_language)
        stored = await statuses.get_status(uow, who.tenant, status_id)
    view = status_view(stored, reader)
    return answer(view, version=stored.version, language=view["language"])


@router.patch("/v1/statuses/{status_id}", response_model=StatusView)
async def update_status(
    api: ApiDep, status_id: str, body: StatusPatch, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    """Only the given fields change; a new system_state resets properties to its defaults."""
    async with api.unit_of_work() as uow:
        stored = await statuses.update_status(
            uow,
            who.tenant,
            status_id,
            body.model_dump(exclude_unset=True),
            if_match=if_match,
            edit=api.edit(who),
        )
    return await shown(api, stored, who)


@router.delete("/v1/statuses/{status_id}", status_code=204)
async def delete_status(
    api: ApiDep, status_id: str, who: Admin, if_match: IfMatch = None
) -> Response:
    """Refused (409 `archive_first`) unless the status is archived."""
    async with api.unit_of_work() as uow:
        await statuses.delete_status(
            uow, who.tenant, status_id, if_match=if_match, edit=api.edit(who)
        )
    return Response(status_code=204)


@router.put("/v1/statuses/{status_id}/rule", response_model=StatusView)
async def put_rule(
    api: ApiDep, status_id: str, body: RuleIn, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    """The status's one rule, replacing any it had; only in automatic categories."""
    async with api.unit_of_work() as uow:
        stored = await statuses.set_rule(
            uow,
            who.tenant,
            status_id,
            body.model_dump(exclude_none=True),
            if_match=if_match,
            edit=api.edit(who),
        )
    return await shown(api, stored, who)


@router.delete("/v1/statuses/{status_id}/rule", response_model=StatusView)
async def delete_rule(
    api: ApiDep, status_id: str, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        stored = await statuses.set_rule(
            uow, who.tenant, status_id, None, if_match=if_match, edit=api.edit(who)
        )
    return await shown(api, stored, who)


async def translate(
    api: Api,
    status_id: str,
    language: str,
    body: TranslationIn | None,
    who: Principal,
    if_match: str | None,
) -> JSONResponse:
    translation = None if body is None else Translation(**body.model_dump())
    async with api.unit_of_work() as uow:
        stored = await statuses.set_status_translation(
            uow,
            who.tenant,
            status_id,
            language,
            translation,
            if_match=if_match,
            edit=api.edit(who),
        )
    return await shown(api, stored, who)


@router.put("/v1/statuses/{status_id}/translations/{language}", response_model=StatusView)
async def translate_status(
    api: ApiDep,
    status_id: str,
    language: Language,
    body: TranslationIn,
    who: Admin,
    if_match: IfMatch = None,
) -> JSONResponse:
    return await translate(api, status_id, language, body, who, if_match)


@router.delete("/v1/statuses/{status_id}/translations/{language}", response_model=StatusView)
async def untranslate_status(
    api: ApiDep, status_id: str, language: Language, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    return await translate(api, status_id, language, None, who, if_match)


@router.put("/v1/statuses/{status_id}/icon", openapi_extra=_ICON_BODY, response_model=StatusView)
async def put_icon(
    api: ApiDep, status_id: str, request: Request, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    """Upload the icon: PNG, SVG or JPEG (checked from the content), at most 256 KiB."""
    content = await request.body()
    async with api.unit_of_work() as uow:
        stored, _ = await icons.put_icon(
            uow,
            who.tenant,
            status_id,
            content,
            request.headers.get("content-type"),
            if_match=if_match,
            edit=api.edit(who),
            public_url=api.public_url,
        )
    return await shown(api, stored, who)


@router.delete("/v1/statuses/{status_id}/icon", response_model=StatusView)
async def delete_icon(
    api: ApiDep, status_id: str, who: Admin, if_match: IfMatch = None
) -> JSONResponse:
    async with api.unit_of_work() as uow:
        stored = await icons.delete_icon(
            uow, who.tenant, status_id, if_match=if_match, edit=api.edit(who)
        )
    return await shown(api, stored, who)


@router.get(
    "/v1/statuses/{status_id}/icon",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}, "image/png": {}, "image/jpeg": {}}},
        304: {"description": "the icon has not changed (If-None-Match)"},
    },
)
async def get_icon(
    api: ApiDep, status_id: str, who: Reading, if_none_match: IfNoneMatch = None
) -> Response:
    """The icon, with its ETag; `If-None-Match` with that ETag answers 304."""
    async with api.unit_of_work() as uow:
        icon = await icons.get_icon(uow, who.tenant, status_id)
    headers = {
        "ETag": icon.etag,
        "Cache-Control": "private, max-age=3600, must-revalidate",
        **_ICON_SAFETY,
    }
    return _icon_response(icon, headers, if_none_match)


@router.get(
    "/v1/icons/{digest}",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}, "image/png": {}, "image/jpeg": {}}},
        304: {"description": "the icon has not changed (If-None-Match)"},
    },
)
async def get_public_icon(
    api: ApiDep, digest: Digest, if_none_match: IfNoneMatch = None
) -> Response:
    """An icon at its content-addressed URL (a status's `icon_url`): no token, any origin,
    cached for a year (new content gets a new URL); the CSP keeps an SVG inert."""
    async with api.unit_of_work() as uow:
        icon = await icons.get_public_icon(uow, digest)
    headers = {
        "ETag": icon.etag,
        "Cache-Control": "public, max-age=31536000, immutable",
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        **_ICON_SAFETY,
    }
    return _icon_response(icon, headers, if_none_match)
