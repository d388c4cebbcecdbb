"""How a customer's statuses combine into restrictions, and the checks answered from them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cstatus.assignment.domain.catalogue import AppointmentLimit, Properties, Status
from cstatus.assignment.domain.checks import CheckWarning, check, would_exceed
from cstatus.assignment.domain.restrictions import Consent, Reason, combine

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 20)


def _s(code: str, system_state: str | None = None, **props: Any) -> Status:
    return Status(code, code.title(), system_state=system_state, properties=Properties(**props))


def test_no_status_restricts_nothing() -> None:
    r = combine([])
    assert (r.can_transact, r.can_redeem, r.can_book_online, r.must_prepay_online) == (
        True,
        True,
        True,
        False,
    )
    assert (r.max_appointments, r.allowed_service_codes, r.marketing_allowed) == (None, None, False)
    assert r.reasons == ()


def test_any_false_can_forbids_and_names_its_status() -> None:
    r = combine([("loyalty", _s("gold")), ("risk", _s("watch", can_redeem=False))])
    assert (r.can_transact, r.can_redeem) == (True, False)
    assert r.reasons == (Reason("risk", "watch", "can_redeem"),)


def test_flags_apply_if_any_status_sets_them() -> None:
    r = combine(
        [
            ("a", _s("one", must_prepay_online=True)),
            ("b", _s("two", transactions_are_outliers=True, exclude_from_reports=True)),
        ],
    )
    assert (r.must_prepay_online, r.transactions_are_outliers, r.exclude_from_reports) == (
        True,
        True,
        True,
    )
    assert set(r.reasons_for("must_prepay_online")) == {Reason("a", "one", "must_prepay_online")}


def test_system_states_add_their_built_in_meaning() -> None:
    deleted = combine([("lifecycle", _s("deleted", "deleted"))])
    assert (
        deleted.can_transact,
        deleted.can_redeem,
        deleted.can_book_online,
        deleted.can_book,
    ) == (
        False,
        False,
        False,
        False,
    )
    confirmed = combine([("lifecycle", _s("fraud", "fraud_confirmed"))])
    assert (confirmed.can_transact, confirmed.can_redeem, confirmed.can_book) == (
        False,
        False,
        True,
    )
    suspected = combine([("lifecycle", _s("watch", "fraud_suspected"))])
    assert suspected.transactions_are_outliers
    internal = combine([("lifecycle", _s("staff", "internal"))])
    assert internal.exclude_from_reports


def test_the_smallest_appointment_limit_wins_and_service_codes_intersect() -> None:
    r = combine(
        [
            (
                "a",
                _s(
                    "one",
                    max_appointments=AppointmentLimit(count=3, period_days=7),
                    allowed_service_codes=frozenset({"x", "y"}),
                ),
            ),
            (
                "b",
                _s(
                    "two",
                    max_appointments=AppointmentLimit(count=1, period_days=30),
                    allowed_service_codes=frozenset({"y", "z"}),
                ),
            ),
        ],
    )
    assert r.max_appointments == AppointmentLimit(count=1, period_days=30)
    assert r.reasons_for("max_appointments") == (Reason("b", "two", "max_appointments"),)
    assert r.allowed_service_codes == frozenset({"y"})
    assert len(r.reasons_for("allowed_service_codes")) == 2


@pytest.mark.parametrize(
    ("opt_in", "objected", "implied", "allowed", "state"),
    [
        (True, None, False, True, "opted_in"),
        (None, None, False, False, "none"),
        (False, None, False, False, "none"),
        (None, None, True, True, "none"),
        # SPEC §1 v2: an opt-in switched off is a withdrawal, not an objection
        (False, None, True, True, "none"),
        (False, False, True, True, "none"),
        (True, None, True, True, "opted_in"),
        # an explicit objection wins over a status implying consent, and over an opt-in
        (None, True, True, False, "objected"),
        (True, True, True, False, "objected"),
        (True, True, False, False, "objected"),
    ],
)
def test_marketing_consent_has_three_states(
    opt_in: bool | None, objected: bool | None, implied: bool, allowed: bool, state: str
) -> None:
    r = combine(
        [("rel", _s("vip", implies_marketing_consent=implied))],
        consent=Consent(opted_in=opt_in, objected=objected),
    )
    assert (r.marketing_allowed, r.marketing_consent) == (allowed, state)
    answer = check(r, "marketing", today=TODAY)
    assert (answer.allowed, answer.consent) == (allowed, state)
    rules = {x.rule for x in answer.reasons}
    if implied and state == "none":
        assert rules == {"implies_marketing_consent"}
    elif implied and state == "objected":
        assert rules == {"marketing_objected"}
    else:
        assert rules == set()


def test_a_staff_change_is_allowed_with_a_warning_naming_the_usual_staff() -> None:
    r = combine([("relationship", _s("regular", staff_change_warning=True))])
    for action in ("book", "change_staff"):
        other = check(r, action, staff_id="anna", usual_staff_id="ben", today=TODAY)
        assert other.allowed
        assert other.warnings == (
            CheckWarning("relationship", "regular", "staff_change_warning", "ben"),
        )
        same = check(r, action, staff_id="ben", usual_staff_id="ben", today=TODAY)
        assert same.allowed and same.warnings == ()
        assert check(r, action, staff_id="anna", usual_staff_id=None, today=TODAY).warnings == ()
    assert check(r, "transact", staff_id="anna", usual_staff_id="ben", today=TODAY).warnings == ()
    plain = combine([("relationship", _s("client"))])
    assert check(plain, "book", staff_id="anna", usual_staff_id="ben", today=TODAY).warnings == ()


def test_checks_answer_per_action_with_their_reasons() -> None:
    r = combine(
        [
            ("lifecycle", _s("suspended", "suspended", can_redeem=False, must_prepay_online=True)),
            ("tier", _s("spa", allowed_service_codes=frozenset({"sauna"}))),
        ],
    )
    assert check(r, "transact", today=TODAY).allowed
    redeem = check(r, "redeem", today=TODAY)
    assert (redeem.allowed, redeem.reasons) == (
        False,
        (Reason("lifecycle", "suspended", "can_redeem"),),
    )
    online = check(r, "book_online", service_code="sauna", today=TODAY)
    assert (online.allowed, online.must_prepay) == (True, True)
    assert online.reasons == (Reason("lifecycle", "suspended", "must_prepay_online"),)
    wrong = check(r, "book", service_code="massage", today=TODAY)
    assert (wrong.allowed, wrong.must_prepay) == (False, False)
    assert wrong.reasons == (Reason("tier", "spa", "allowed_service_codes"),)


def test_booking_is_refused_once_the_appointment_limit_is_reached() -> None:
    r = combine([("tier", _s("trial", max_appointments=AppointmentLimit(count=2, period_days=7)))])
    soon = [TODAY + timedelta(days=1), TODAY + timedelta(days=6)]
    assert not check(r, "book", appointments=soon, today=TODAY).allowed
    # Out of every 7-day window that contains today: a week ahead, a week ago (SPEC §1 v2; a
    # booking yesterday is inside one, see the window tests below).
    later = [TODAY + timedelta(days=1), TODAY + timedelta(days=7), TODAY - timedelta(days=7)]
    assert check(r, "book", appointments=later, today=TODAY).allowed
    assert check(r, "transact", appointments=soon, today=TODAY).allowed


def test_a_deleted_customer_cannot_book_even_offline() -> None:
    r = combine([("lifecycle", _s("deleted", "deleted"))])
    result = check(r, "book", today=TODAY)
    assert not result.allowed
    assert result.reasons == (Reason("lifecycle", "deleted", "can_book"),)


def _brute_force(appointments: list[date], limit: AppointmentLimit, day: date) -> bool:
    for offset in range(limit.period_days):
        start = day - timedelta(days=offset)
        end = start + timedelta(days=limit.period_days)
        if sum(1 for d in appointments if start <= d < end) + 1 > limit.count:
            return True
    return False


def test_a_booking_is_checked_against_every_window_containing_its_day() -> None:
    """SPEC §1 v2: "at most 2 a week" refuses a third in any 7 days, past bookings included
    (before, only bookings in [today, today + period) counted and the day asked was ignored)."""
    week = AppointmentLimit(count=2, period_days=7)
    monday = date(2026, 12, 7)
    two = [monday, monday + timedelta(days=2)]
    assert would_exceed(two, week, monday + timedelta(days=4))  # Mon, Wed, Fri: 3 in a week
    assert not would_exceed(two, week, monday + timedelta(days=9))  # next Wednesday: 2 at most
    assert would_exceed(two, week, monday - timedelta(days=3))  # the Friday before: with both
    assert not would_exceed(two, week, monday - timedelta(days=5))  # far enough before

    restricted = combine(
        [("tier", Status("restricted", "R", properties=Properties(max_appointments=week)))],
    )
    today = monday + timedelta(days=1)
    refused = check(
        restricted,
        "book",
        appointments=two,
        appointment_date=monday + timedelta(days=5),
        today=today,
    )
    assert not refused.allowed
    assert {r.rule for r in refused.reasons} == {"max_appointments"}
    later = check(
        restricted,
        "book",
        appointments=two,
        appointment_date=monday + timedelta(days=14),
        today=today,
    )
    assert later.allowed


@pytest.mark.parametrize("seed", range(30))
def test_the_window_search_equals_trying_every_window(seed: int) -> None:
    import random

    chooser = random.Random(seed)
    limit = AppointmentLimit(count=chooser.randint(1, 4), period_days=chooser.randint(1, 20))
    base = date(2026, 1, 1)
    appointments = [
        base + timedelta(days=chooser.randint(0, 60)) for _ in range(chooser.randint(0, 12))
    ]
    for offset in range(-25, 90):
        day = base + timedelta(days=offset)
        assert would_exceed(appointments, limit, day) == _brute_force(appointments, limit, day)


def test_marketing_is_answered_as_a_check() -> None:
    vip = Status("vip", "VIP", properties=Properties(implies_marketing_consent=True))
    implied = combine([("relationship", vip)])
    answer = check(implied, "marketing", today=date(2026, 12, 3))
    assert answer.allowed
    assert {r.rule for r in answer.reasons} == {"implies_marketing_consent"}
    assert not check(combine([]), "marketing", today=date(2026, 12, 3)).allowed
