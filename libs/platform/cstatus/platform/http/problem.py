"""RFC 9457 problem+json errors for every failure an API returns."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemDetails",
    "document_problems",
    "install_problem_handlers",
    "problem_response",
    "problems_of",
]

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(Exception):
    """Raise it anywhere in a request to answer with problem+json.

    `code` is a stable machine-readable reason (e.g. `status_not_found`, `reason_required`).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.title = title or _TITLES.get(status, "Error")
        self.errors = errors
        self.headers = headers
        self.extensions = extensions


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    code: str | None = None,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:cstatus:problem:{code}" if code else "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "reason": err.get("msg", "invalid"),
            "type": err.get("type", "value_error"),
        }
        for err in exc.errors()
    ]


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method the app's OpenAPI document names for the request's path (Starlette's own
    405 names the methods of the first route whose path matches, not all of the path's)."""
    path = request.url.path
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            methods |= {m.upper() for m in operations}
    return sorted(methods)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error, including validation and unknown routes, as problem+json."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(
            exc.status,
            exc.detail,
            title=exc.title,
            code=exc.code,
            instance=request.url.path,
            errors=exc.errors,
            headers=exc.headers,
            **exc.extensions,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(
            422,
            "the request is not valid",
            code="validation_failed",
            instance=request.url.path,
            errors=_field_errors(exc),
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:  # Starlette names the methods of one route, not the path's
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return problem_response(
            exc.status_code,
            str(exc.detail),
            instance=request.url.path,
            headers=headers or None,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, "unexpected error", instance=request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


class ProblemDetails(BaseModel):
    """RFC 9457: what every error answer carries (`code` is the stable reason)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def problems_of(method: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses an operation can answer, from its shape: every `/v1` operation
    needs a token (401) with a role it accepts (403); a body can be malformed (400), too large
    (413), invalid (422) or, for an upload, not what it says (415); parameters can be
    invalid (422); a path names something that may not exist
    (404); an `If-Match` can be stale (412); a change can conflict (409)."""
    params = operation.get("parameters", [])
    body = "requestBody" in operation
    found = {401, 403}
    if body or params:
        found.add(422)
    if body:
        found |= {400, 413}
        media = operation["requestBody"].get("content", {})
        if any(not m.endswith("json") for m in media):  # an upload: its content is checked
            found.add(415)
    if any(p.get("in") == "path" for p in params):
        found.add(404)
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in params):
        found.add(412)
    if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
        found.add(409)
    return found


def document_problems(app: FastAPI, *, prefix: str = "/v1") -> None:
    """Make the app's OpenAPI document name its problem+json answers: FastAPI documents only
    success bodies and its own 422 shape, which is not what the API sends."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["ProblemDetails"] = ProblemDetails.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}
        for path, operations in spec.get("paths", {}).items():
            if not path.startswith(prefix):
                continue
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)  # FastAPI's own shape, not what the API sends
                declared = {int(k) for k in responses if k.isdigit() and int(k) >= 400}
                for status in sorted(problems_of(method, operation) | declared):
                    responses[str(status)] = {"description": _TITLES[status], "content": content}
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
