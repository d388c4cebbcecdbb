"""Whether an SVG icon is safe to serve: an allow-list, checked on the parsed document.

Browsers run SVG, so a blacklist of patterns is bypassed by what XML allows — a `script` in a
prefixed namespace, a prefixed `foreignObject`, `javascript:` written as character references.
Here the document is parsed (namespace-aware: names are compared as `{namespace}local`) and
every element and attribute must be on the lists below; every reference must stay inside the
document (`#…`). Anything the check cannot prove safe is refused: entity declarations, document
type subsets, processing instructions other than the XML declaration, unknown names.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

__all__ = ["svg_refusal"]

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
XML = "{http://www.w3.org/XML/1998/namespace}"

ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "symbol",
        "use",
        "path",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "rect",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "text",
        "tspan",
    }
)
ATTRIBUTES = frozenset(
    {
        "id",
        "class",
        "version",
        "baseProfile",
        "viewBox",
        "preserveAspectRatio",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "d",
        "points",
        "transform",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "clip-path",
        "clip-rule",
        "mask",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "visibility",
        "display",
        "color",
        "href",
        f"{XLINK}href",
        f"{XML}space",
    }
)
_DECLARATIONS = re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[|<\?(?!xml[\s?])", re.IGNORECASE)
_URL = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


def svg_refusal(content: bytes) -> str | None:
    """Why the SVG is refused, or None when every part of it is on the allow-list."""
    if _DECLARATIONS.search(content):
        return "entity declarations, document type subsets and processing instructions"
    try:
        root = ElementTree.fromstring(content)  # no DTD left: nothing to expand or fetch
    except ElementTree.ParseError as error:
        return f"not well-formed XML ({error})"
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith(SVG) or tag[len(SVG) :] not in ELEMENTS:
            return f"element {tag!r}"
        for name, value in element.attrib.items():
            if name not in ATTRIBUTES:
                return f"attribute {name!r}"
            if name in ("href", f"{XLINK}href") and not value.strip().startswith("#"):
                return "a reference outside the document"
            if _URL.search(value):
                return "a url() outside the document"
    return None
