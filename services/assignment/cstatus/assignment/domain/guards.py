"""The guards of SPEC §1 (Assignment): whether a requested change applies, and what it becomes.

`decide` is the one place a status change is judged; it answers a `domain/decisions.Decision`. The order of the checks is the order a user would ask them in: does
the category and status exist, may this source touch the category, do the transition guards hold,
is the reason there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from cstatus.assignment.domain.catalogue import Catalogue, Category
from cstatus.assignment.domain.decisions import Applied, Decision, Pending, Refused, Unchanged
from cstatus.assignment.domain.holding import ChangeRequest, Holding, Source
from cstatus.contracts.system_states import meaning

__all__ = [
    "decide",
    "default_holding",
    "expire_pin",
    "source_for_roles",
    "unpin",
]


def source_for_roles(roles: Iterable[str]) -> Source | None:
    """A person (`status:agent`) changes manually, a system (`status:system`) externally."""
    held = set(roles)
    if "status:agent" in held:
        return "manual"
    if "status:system" in held:
        return "external"
    return None


def _mode_check(category: Category, request: ChangeRequest) -> Refused | None:
    mode, source = category.update_mode, request.source
    if source == "system" or source == mode:
        return None
    if source == "manual":
        if category.manual_override_allowed:
            return None
        return Refused(
            "override_not_allowed",
            f"category {category.code} is {mode} and does not allow manual overrides",
        )
    return Refused(
        "source_not_allowed", f"category {category.code} is {mode}: {source} changes are refused"
    )


def _pins(category: Category, request: ChangeRequest) -> bool:
    """A manual change in an automatic or external category pins it (SPEC §1 v2: unless the
    request says `"pin": false`: set it now, automation may move it later)."""
    return request.source == "manual" and category.update_mode != "manual" and request.pin


def _automation_check(
    catalogue: Catalogue, current: Holding | None, request: ChangeRequest, now: datetime
) -> Refused | None:
    """Automation (and external systems) stay out of pinned categories and sticky statuses."""
    if request.source not in ("automatic", "external") or current is None:
        return None
    if current.pin_active(now):
        until = current.pinned_until.isoformat() if current.pinned_until else "it is cleared"
        return Refused("pinned", f"{request.category_code} is pinned by hand until {until}")
    if request.source != "automatic":
        return None
    if (
        request.based_on_sequence is not None
        and request.based_on_sequence < current.last_manual_sequence
    ):
        return Refused(
            "stale_proposal",
            f"the proposal is based on change {request.based_on_sequence}, but change"
            f" {current.last_manual_sequence} was made by hand since",
        )
    held = catalogue.status(request.category_code, current.status_code)
    sticky = (held is not None and held.sticky) or meaning(current.system_state).sticky
    if sticky and request.status_code != current.status_code:
        return Refused(
            "sticky", f"{current.status_code} is sticky: only a person can move a customer out"
        )
    return None


def held_state(catalogue: Catalogue, current: Holding | None) -> str | None:
    """The system_state a holding has: the one it was entered with (older rows: the
    configuration's)."""
    if current is None or current.status_code is None:
        return None
    if current.system_state is not None:
        return current.system_state
    held = catalogue.status(current.category_code, current.status_code)
    return held.system_state if held is not None else None


_FOLLOWS_REFUSAL = {"fraud_confirmed": "fraud_confirmed_requires_suspected"}
"""The API's refusal code when a state is entered from another than the one it follows."""


def _transition_check(
    catalogue: Catalogue, current: Holding | None, request: ChangeRequest
) -> Refused | None:
    """`deleted` is terminal for everyone; `fraud_confirmed` is reached only from `fraud_suspected`."""
    from_code = current.status_code if current else None
    if from_code == request.status_code:
        return None
    state = held_state(catalogue, current)
    target = catalogue.status(request.category_code, request.status_code)
    if meaning(state).terminal:
        return Refused("terminal", f"{from_code} is terminal: no change out of it")
    follows = meaning(target.system_state).follows if target is not None else None
    if target is not None and follows is not None and state != follows:
        code = _FOLLOWS_REFUSAL.get(target.system_state or "", f"requires_{follows}")
        return Refused(code, f"{target.code} can only follow a {follows} status")
    return None


def _input_check(
    catalogue: Catalogue, current: Holding | None, request: ChangeRequest, now: datetime
) -> Refused | None:
    category = catalogue.categories.get(request.category_code)
    if category is None:
        return Refused("unknown_category", f"there is no category {request.category_code}")
    if category.archived:
        return Refused("category_archived", f"category {category.code} is archived")
    if request.status_code is not None:
        status = category.statuses.get(request.status_code)
        if status is None:
            return Refused(
                "unknown_status", f"category {category.code} has no status {request.status_code}"
            )
        already = current is not None and current.status_code == status.code
        if status.archived and not already:
            return Refused("status_archived", f"status {status.code} is archived: no new holders")
    if request.until is not None:
        if not _pins(category, request):
            return Refused(
                "until_not_applicable", "until applies only to a manual override (a pin)"
            )
        if request.until <= now:
            return Refused("until_in_past", "until must lie in the future")
    return None


def decide(
    catalogue: Catalogue, current: Holding | None, request: ChangeRequest, now: datetime
) -> Decision:
    """Judge `request` against the customer's `current` holding in its category at `now`."""
    refusal = _input_check(catalogue, current, request, now)
    if refusal is not None:
        return refusal
    category = catalogue.categories[request.category_code]
    for check in (
        _mode_check(category, request),
        _automation_check(catalogue, current, request, now),
        _transition_check(catalogue, current, request),
    ):
        if check is not None:
            return check
    pinned = _pins(category, request) and request.status_code is not None
    until = request.until if pinned else None
    if current is not None and current.status_code == request.status_code:
        if request.source != "manual":
            pinned, until = False, None  # an expired pin is cleared by the next automatic word
        if (current.pinned, current.pinned_until) == (pinned, until):
            return Unchanged(current)
    if request.source == "manual" and category.reason_required and not request.reason:
        return Refused("reason_required", f"a change in {category.code} needs a reason")
    target = catalogue.status(request.category_code, request.status_code)
    moves = current is None or current.status_code != request.status_code
    by_one_person = request.source == "manual" and request.approved_by is None
    if moves and by_one_person and target is not None and target.requires_approval:
        return Pending()
    state = target.system_state if target is not None else None
    if current is not None and current.status_code == request.status_code:
        state = current.system_state or state  # staying keeps the state it was entered with
    return Applied(
        _next(current, request, now, pinned=pinned, until=until, system_state=state), current
    )


def _next(
    current: Holding | None,
    request: ChangeRequest,
    now: datetime,
    *,
    pinned: bool,
    until: datetime | None,
    system_state: str | None = None,
) -> Holding:
    sequence = (current.sequence if current else 0) + 1
    moved = current is None or current.status_code != request.status_code
    by_hand = request.source in ("manual", "external")
    return Holding(
        category_code=request.category_code,
        status_code=request.status_code,
        source=request.source,
        since=now if moved or current is None else current.since,
        updated_by=request.actor,
        updated_at=now,
        sequence=sequence,
        pinned=pinned,
        pinned_until=until,
        reason=request.reason,
        last_manual_sequence=sequence
        if by_hand
        else (current.last_manual_sequence if current else 0),
        system_state=system_state,
    )


def expire_pin(current: Holding, now: datetime, *, actor: str) -> Decision:
    """A pin whose `until` has passed is cleared without anyone acting, so automation resumes."""
    if not current.pinned or current.pinned_until is None or current.pinned_until > now:
        return Unchanged(current)
    cleared = replace(
        current,
        pinned=False,
        pinned_until=None,
        source="system",
        updated_by=actor,
        updated_at=now,
        sequence=current.sequence + 1,
        reason="pin expired",
    )
    return Applied(cleared, current)


def unpin(current: Holding | None, now: datetime, *, actor: str, reason: str | None) -> Decision:
    """A person resumes automation in a pinned category (`DELETE …/pin`): the status stays, the
    pin goes, and the rules engine re-evaluates the category at once (explanation `unpin`)."""
    if current is None or not current.pinned:
        return Unchanged(current)
    cleared = replace(
        current,
        pinned=False,
        pinned_until=None,
        source="system",
        updated_by=actor,
        updated_at=now,
        sequence=current.sequence + 1,
        reason=reason,
    )
    return Applied(cleared, current)


def default_holding(category: Category, now: datetime, *, actor: str, ref_id: str) -> Decision:
    """A new customer's holding in `category`: its default status, if it has one."""
    default = category.default_status
    if default is None:
        return Unchanged(None)
    request = ChangeRequest(
        ref_id=ref_id,
        category_code=category.code,
        status_code=default.code,
        source="system",
        actor=actor,
    )
    return Applied(
        _next(None, request, now, pinned=False, until=None, system_state=default.system_state),
        None,
    )


CONFIGURATION_LAG = frozenset({"unknown_category", "unknown_status"})


def waits_for_configuration(refused: Refused, request: ChangeRequest, catalogue: Catalogue) -> bool:
    """A proposal refused only because it names what a newer configuration than ours defines
    waits for that version instead (a race between the services' copies of the configuration)."""
    return (
        request.source == "automatic"
        and refused.code in CONFIGURATION_LAG
        and request.config_version is not None
        and request.config_version > catalogue.version
    )
