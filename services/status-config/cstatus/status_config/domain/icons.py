"""Status icons: PNG, SVG or JPEG up to 256 KiB, their type checked from the content itself.

The declared `Content-Type` must agree with what the bytes are. SVG is a document that browsers
run: only what `svg.py`'s allow-list proves safe is accepted.
"""

from __future__ import annotations

import hashlib
import re

from cstatus.status_config.domain.errors import ConfigError, invalid
from cstatus.status_config.domain.model import Icon
from cstatus.status_config.domain.svg import svg_refusal

__all__ = ["ICON_TYPES", "MAX_ICON_BYTES", "check_icon", "sniff"]

MAX_ICON_BYTES = 256 * 1024
ICON_TYPES = ("image/png", "image/svg+xml", "image/jpeg")

_SVG_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+svg[^>]*>\s*)?"
    rb"(?:<!--.*?-->\s*)*<svg[\s>]",
    re.IGNORECASE | re.DOTALL,
)


def sniff(content: bytes) -> str | None:
    """The media type the bytes are, among `ICON_TYPES`, or None."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if _SVG_START.match(content[:4096]):
        return "image/svg+xml"
    return None


def check_icon(content: bytes, declared: str | None) -> Icon:
    """A valid icon from an upload, or the refusal: 413 too large, 415 wrong type, 422 unsafe."""
    if len(content) > MAX_ICON_BYTES:
        raise ConfigError(413, "icon_too_large", f"an icon is at most {MAX_ICON_BYTES} bytes")
    if not content:
        raise invalid("icon", "the icon is empty", code="icon_empty")
    media_type = (declared or "").split(";")[0].strip().lower()
    if media_type not in ICON_TYPES:
        raise ConfigError(
            415, "unsupported_media_type", f"an icon is one of {', '.join(ICON_TYPES)}"
        )
    actual = sniff(content)
    if actual != media_type:
        raise ConfigError(
            415,
            "content_type_mismatch",
            f"the content is {actual or 'not a PNG, SVG or JPEG image'}, not {media_type}",
        )
    if actual == "image/svg+xml" and (refusal := svg_refusal(content)) is not None:
        raise invalid(
            "icon",
            f"SVG icons may hold only plain drawing elements; refused: {refusal}",
            code="unsafe_svg",
        )
    return Icon(actual, content, f'"{hashlib.sha256(content).hexdigest()[:32]}"')
