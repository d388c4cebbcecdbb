"""The pure rules of status-config: seeds, properties, validation, languages, icons."""

from __future__ import annotations

import pytest

from cstatus.contracts.configuration import CategoryConfig, StatusConfig, Translation
from cstatus.status_config.domain.document import build_configuration
from cstatus.status_config.domain.errors import ConfigError
from cstatus.status_config.domain.icons import MAX_ICON_BYTES, check_icon, sniff
from cstatus.status_config.domain.ids import new_id
from cstatus.status_config.domain.languages import localize, parse_accept_language
from cstatus.status_config.domain.model import StoredCategory, StoredStatus, Tenant
from cstatus.status_config.domain.properties import default_properties, merge_properties
from cstatus.status_config.domain.seed import default_categories
from cstatus.status_config.domain.validation import check_etag, check_status

pytestmark = pytest.mark.unit


def _status(code: str, **fields: object) -> StatusConfig:
    return StatusConfig.model_validate(
        {"id": new_id("status"), "code": code, "name": code, "colour": "#000000", **fields}
    )


def _category(mode: str = "automatic") -> CategoryConfig:
    return CategoryConfig(id="cat_1", code="c", name="C", update_mode=mode)


def test_the_seed_is_spec_1_6_and_builds_a_valid_document() -> None:
    categories = default_categories(new_id)
    assert [c.code for c in categories] == ["relationship", "lifecycle"]
    stored = [StoredCategory(c.model_copy(update={"statuses": ()})) for c in categories]
    statuses = [StoredStatus(s, c.id) for c in categories for s in c.statuses]
    document = build_configuration(Tenant("acme", "en", 1), stored, statuses)
    assert [len(c.statuses) for c in document.categories] == [4, 6]
    lifecycle = {s.code: s for s in document.categories[1].statuses}
    assert lifecycle["fraud_confirmed"].properties.can_transact is False
    assert lifecycle["fraud_suspected"].sticky


def test_properties_start_from_the_system_state_and_take_the_admins_values() -> None:
    assert default_properties(None).can_transact is True
    suspended = default_properties("suspended")
    assert (suspended.can_redeem, suspended.transactions_are_outliers) == (False, True)
    assert merge_properties(suspended, {"can_redeem": True}).can_redeem is True


def test_statuses_keep_their_siblings_rules() -> None:
    siblings = [_status("lead", is_default=True)]
    with pytest.raises(ConfigError) as taken:
        check_status(_status("lead"), _category(), siblings)
    assert (taken.value.status, taken.value.code) == (409, "code_taken")
    with pytest.raises(ConfigError) as second_default:
        check_status(_status("vip", is_default=True), _category(), siblings)
    assert second_default.value.code == "default_taken"
    ruled = _status("vip", rule={"type": "inactivity", "days": 30})
    check_status(ruled, _category("automatic"), siblings)
    with pytest.raises(ConfigError) as manual:
        check_status(ruled, _category("manual"), siblings)
    assert (manual.value.code, manual.value.field) == ("rule_not_allowed", "rule")


def test_if_match_names_the_current_version_or_anything() -> None:
    check_etag(None, '"3"')
    check_etag('"3"', '"3"')
    check_etag('W/"3", "4"', '"3"')
    check_etag("*", '"3"')
    with pytest.raises(ConfigError) as stale:
        check_etag('"2"', '"3"')
    assert stale.value.status == 412


def test_languages_are_chosen_by_quality_then_fall_back_to_the_default() -> None:
    assert parse_accept_language("en;q=0.5, de-CH, fr;q=0, *") == ["de-CH", "en"]
    translations = {"de": Translation(name="Gold (de)")}
    chosen = localize("Gold", None, translations, wanted=["de-CH"], default_language="en")
    assert (chosen.language, chosen.name) == ("de", "Gold (de)")
    fallback = localize("Gold", "d", translations, wanted=["ja"], default_language="en")
    assert (fallback.language, fallback.name, fallback.description) == ("en", "Gold", "d")


def test_icons_are_known_by_their_content() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    assert sniff(png) == "image/png"
    assert sniff(b"\xff\xd8\xff\xdb") == "image/jpeg"
    assert sniff(b'\xef\xbb\xbf <!-- x --><svg width="1"/>') == "image/svg+xml"
    assert sniff(b"<html><svg/></html>") is None
    assert check_icon(png, "image/png; charset=binary").content_type == "image/png"
    for content, declared, status in [
        (png, "image/jpeg", 415),
        (png, None, 415),
        (b"", "image/png", 422),
        (png + b"\x00" * MAX_ICON_BYTES, "image/png", 413),
        (b'<svg onload="x()"/>', "image/svg+xml", 422),
        (b'<svg><image href="http://evil/x.png"/></svg>', "image/svg+xml", 422),
    ]:
        with pytest.raises(ConfigError) as refused:
            check_icon(content, declared)
        assert refused.value.status == status


NS = b'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize(
    "content",
    [
        # the review's bypasses of the old pattern filter
        b"<svg "
        + NS
        + b' xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></svg>',
        b"<svg " + NS + b' xmlns:x="http://www.w3.org/2000/svg"><x:foreignObject/></svg>',
        b"<svg "
        + NS
        + b' xmlns:l="http://www.w3.org/1999/xlink"><a l:href="&#106;avascript:alert(1)">'
        b"<circle r='1'/></a></svg>",
        b"<svg " + NS + b'><use href="&#106;avascript:alert(1)"/></svg>',
        # and what else a browser would run or fetch
        b"<svg " + NS + b'><circle r="1" onclick="x()"/></svg>',
        b"<svg " + NS + b'><rect fill="url(http://evil/x)"/></svg>',
        b"<svg " + NS + b"><style>@import url(http://evil)</style></svg>",
        b'<?xml-stylesheet href="http://evil/x.css"?><svg ' + NS + b"/>",
        b'<!DOCTYPE svg [<!ENTITY e "x">]><svg ' + NS + b">&e;</svg>",
        b"<svg " + NS + b' xmlns:h="http://www.w3.org/1999/xhtml"><h:iframe/></svg>',
        b"<svg><circle r='1'/></svg>",  # no SVG namespace: not provably SVG to a browser
    ],
)
def test_svg_icons_must_be_provably_plain_drawings(content: bytes) -> None:
    with pytest.raises(ConfigError) as refused:
        check_icon(content, "image/svg+xml")
    assert refused.value.code in ("unsafe_svg", "content_type_mismatch")


def test_a_plain_svg_drawing_is_accepted() -> None:
    drawing = (
        b'<?xml version="1.0"?>\n<svg ' + NS + b' xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/>'
        b'</linearGradient></defs><circle cx="5" cy="5" r="4" fill="url(#g)"/>'
        b'<use xlink:href="#g"/><title>Gold</title></svg>'
    )
    assert check_icon(drawing, "image/svg+xml").content_type == "image/svg+xml"


def test_null_for_a_flag_keeps_it_and_null_for_a_limit_removes_it() -> None:
    """A PATCH with `"can_transact": null` answered 500 (found by schemathesis)."""
    fraud = default_properties("fraud_confirmed")
    limited = merge_properties(fraud, {"max_appointments": {"count": 2, "period_days": 7}})
    merged = merge_properties(limited, {"can_transact": None, "max_appointments": None})
    assert merged.can_transact is False  # as it was
    assert merged.max_appointments is None  # the limit removed
