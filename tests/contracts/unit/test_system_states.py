"""The system states' meanings (SPEC §1, 1.6, 1.8) are one table: every state has one, and the
services read it instead of their own copies."""

from __future__ import annotations

from typing import get_args

import pytest

from cstatus.contracts.configuration import StatusProperties
from cstatus.contracts.fields import SystemState
from cstatus.contracts.system_states import SYSTEM_STATES, meaning

pytestmark = pytest.mark.unit


def test_every_system_state_has_a_meaning_and_valid_defaults() -> None:
    assert set(SYSTEM_STATES) == set(get_args(SystemState))
    for state, found in SYSTEM_STATES.items():
        StatusProperties.model_validate(found.defaults)  # every default is a property
        assert found.denies <= {"can_transact", "can_redeem", "can_book_online", "can_book"}
        assert found.flags <= {"transactions_are_outliers", "exclude_from_reports"}
        assert found.follows is None or found.follows in SYSTEM_STATES, state


def test_the_meanings_the_spec_names() -> None:
    assert meaning("deleted").terminal and meaning("deleted").requires_approval
    assert meaning("fraud_confirmed").follows == "fraud_suspected"
    assert meaning("fraud_suspected").sticky and not meaning("fraud_confirmed").sticky
    assert {s for s, m in SYSTEM_STATES.items() if m.outliers} == {"suspended", "fraud_suspected"}
    assert meaning(None) == meaning("from-a-newer-version") == meaning("active")
