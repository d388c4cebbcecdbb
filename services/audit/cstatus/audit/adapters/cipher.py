"""Sealing personal data with a customer's key (AES-256-GCM) and digesting actors (HMAC-SHA256).

A sealed value is `nonce (12 bytes) || ciphertext+tag`. Its associated data names the tenant,
the customer and the field, so a sealed value cannot be moved to another row and still open.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["digest", "new_key", "open_sealed", "seal"]

_NONCE = 12


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _context(tenant: str, customer: str, field: str) -> bytes:
    return "\x1f".join((tenant, customer, field)).encode()


def seal(key: bytes, text: str, *, tenant: str, customer: str, field: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(key).encrypt(nonce, text.encode(), _context(tenant, customer, field))


def open_sealed(key: bytes, sealed: bytes, *, tenant: str, customer: str, field: str) -> str:
    nonce, body = sealed[:_NONCE], sealed[_NONCE:]
    return AESGCM(key).decrypt(nonce, body, _context(tenant, customer, field)).decode()


def digest(secret: bytes, text: str) -> bytes:
    """A keyed digest to find rows by an exact value without storing the value."""
    return hmac.new(secret, text.encode(), hashlib.sha256).digest()
