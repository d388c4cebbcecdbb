"""Bearer JWT authentication: who calls, for which tenant, with which roles.

Development and tests sign HS256 with `CSTATUS_JWT_SECRET`; production verifies RS256 against the
JWKS at `CSTATUS_JWKS_URL` (fetched asynchronously, cached with a TTL, refetched when a token
names an unknown key: rotation) and accepts nothing else, and requires `iss`
(`CSTATUS_JWT_ISSUER`) and `aud` (`CSTATUS_JWT_AUDIENCE`). Tokens must carry `sub`, `tenant`,
`roles` and `exp`; `alg=none` and any algorithm but the configured one are refused.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request

from cstatus.platform.http.jwks import JwksKeys, UnknownKey
from cstatus.platform.http.problem import Problem
from cstatus.platform.settings import AuthSettings

__all__ = [
    "ROLES",
    "TENANT_HEADER",
    "Authenticator",
    "Principal",
    "allowed",
    "issue_dev_token",
    "require_roles",
]

ROLES = frozenset({"status:admin", "status:agent", "status:viewer", "status:system"})
_TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
TENANT_HEADER = "x-cstatus-tenant"
"""Optional request header naming the tenant a caller means; it must match the token's tenant."""
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cstatus"'}


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    tenant: str
    roles: frozenset[str]


def _unauthorized(detail: str) -> Problem:
    return Problem(401, detail, code="unauthorized", headers=_CHALLENGE)


class Authenticator:
    """Verifies bearer tokens; a verified token is remembered until its `exp` (bounded cache), so a
    caller that reuses its token pays for the signature check once, not on every request."""

    CACHE_SIZE = 4096

    def __init__(self, settings: AuthSettings, *, jwks: JwksKeys | None = None) -> None:
        self._settings = settings
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._jwks: JwksKeys | None = jwks
        if self._jwks is None and settings.jwks_url:
            self._jwks = JwksKeys(settings.jwks_url)

    async def _key_and_algorithm(self, token: str) -> tuple[Any, str]:
        if self._jwks is not None:
            try:
                kid = jwt.get_unverified_header(token).get("kid")
                return await self._jwks.key(kid), "RS256"
            except (UnknownKey, jwt.PyJWTError) as error:
                raise _unauthorized(f"the token is not valid: {error}") from error
        return self._settings.jwt_secret.get_secret_value(), "HS256"

    @property
    def cached(self) -> int:
        """How many verified tokens are remembered."""
        return len(self._verified)

    def known(self, token: str) -> Principal | None:
        """The caller of a token this process has verified and that has not expired; None for
        any other (which `verify` then checks the one usual way)."""
        known = self._verified.get(token)
        if known is None or time.time() >= known[1]:
            return None
        return known[0]

    async def verify(self, token: str) -> Principal:
        known = self.known(token)
        if known is not None:
            return known
        self._verified.pop(token, None)  # expired, or never seen
        key, algorithm = await self._key_and_algorithm(token)
        principal, expires = self._verify(token, key, algorithm)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str, key: Any, algorithm: str) -> tuple[Principal, float]:
        settings = self._settings
        required = ["sub", "exp", "tenant", "roles"]
        required += ["iss"] if settings.jwt_issuer else []
        required += ["aud"] if settings.jwt_audience else []
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                leeway=settings.jwt_leeway_s,
                options={"require": required, "verify_aud": settings.jwt_audience is not None},
            )
        except jwt.ExpiredSignatureError as error:
            raise _unauthorized("the token has expired") from error
        except jwt.PyJWTError as error:
            raise _unauthorized(f"the token is not valid: {error}") from error
        tenant, roles = claims["tenant"], claims["roles"]
        if not isinstance(tenant, str) or not _TENANT.match(tenant):
            raise _unauthorized("the token's tenant claim is not a valid tenant id")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise _unauthorized("the token's roles claim must be a list of strings")
        principal = Principal(subject=str(claims["sub"]), tenant=tenant, roles=frozenset(roles))
        return principal, float(claims["exp"]) + self._settings.jwt_leeway_s

    async def __call__(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("a bearer token is required")
        principal = await self.verify(token.strip())
        requested = request.headers.get(TENANT_HEADER)
        if requested is not None and requested != principal.tenant:
            raise Problem(
                403,
                "the token belongs to another tenant than the one asked for",
                code="tenant_mismatch",
            )
        return principal


def require_roles(
    authenticate: Callable[[Request], Awaitable[Principal]], *roles: str
) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: the caller, who must hold at least one of `roles`."""
    wanted = frozenset(roles)

    async def dependency(request: Request) -> Principal:
        return allowed(await authenticate(request), wanted)

    return dependency


def allowed(principal: Principal, wanted: frozenset[str]) -> Principal:
    """`principal`, if it holds one of the `wanted` roles (or none are wanted); 403 otherwise."""
    if wanted and not (principal.roles & wanted):
        raise Problem(403, f"this needs one of the roles {sorted(wanted)}", code="forbidden")
    return principal


def issue_dev_token(
    secret: str,
    *,
    tenant: str,
    roles: Iterable[str],
    subject: str = "dev-user",
    ttl_s: int = 3600,
    now: float | None = None,
) -> str:
    """An HS256 token for development and tests (never valid in production)."""
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": subject,
        "tenant": tenant,
        "roles": sorted(roles),
        "iat": issued,
        "exp": issued + ttl_s,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
