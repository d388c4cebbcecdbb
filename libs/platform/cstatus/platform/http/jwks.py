"""The signing keys of a JWKS URL, fetched without blocking the event loop and cached with a TTL.

Keys are looked up by the token's `kid`. The set is fetched again when it is older than `ttl_s`,
or when a token names a key it does not hold (the identity provider rotated its keys) — at most
once per `min_refresh_s`, so tokens with made-up `kid`s cannot make the service hammer the
provider. A fetch that fails keeps the keys known so far (they stay valid until the TTL of the
next successful fetch decides otherwise).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
import jwt

__all__ = ["JwksKeys", "UnknownKey"]

log = logging.getLogger(__name__)


class UnknownKey(Exception):
    """No key of the JWKS has the token's `kid` (after a refresh)."""


class JwksKeys:
    def __init__(
        self,
        url: str,
        *,
        ttl_s: float = 300.0,
        min_refresh_s: float = 30.0,
        timeout_s: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = url
        self._ttl_s = ttl_s
        self._min_refresh_s = min_refresh_s
        self._timeout_s = timeout_s
        self._client = client
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._tried_at = float("-inf")
        self._lock = asyncio.Lock()
        self._attempts = 0
        self.fetches = 0

    async def key(self, kid: str | None) -> Any:
        """The verification key of `kid` (the only key when the token names none)."""
        now = time.monotonic()
        stale = now - self._fetched_at > self._ttl_s
        if stale or (kid not in self._keys and now - self._tried_at > self._min_refresh_s):
            await self._refresh(self._attempts)
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise UnknownKey(f"no key {kid!r} in the JWKS")
        return self._keys[kid]

    async def _refresh(self, seen: int) -> None:
        """Fetch the set, unless another caller fetched it while this one waited for the lock
        (`seen`: the attempts this caller had seen; comparing times instead skipped a
        refresh a sequential caller asked for within a millisecond of the last one)."""
        async with self._lock:
            if self._attempts != seen:  # another caller just did
                return
            self._attempts += 1
            self._tried_at = time.monotonic()
            try:
                client = self._client or httpx.AsyncClient(timeout=self._timeout_s)
                try:
                    response = await client.get(self._url, timeout=self._timeout_s)
                finally:
                    if self._client is None:
                        await client.aclose()
                response.raise_for_status()
                keys = jwt.PyJWKSet.from_dict(response.json()).keys
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
                log.warning(
                    "JWKS %s not fetched, keeping %d keys: %r", self._url, len(self._keys), error
                )
                return
            self._keys = {k.key_id or "": k.key for k in keys}
            self._fetched_at = time.monotonic()
            self.fetches += 1
