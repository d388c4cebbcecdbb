"""The in-memory unit of work passes the repository case its PostgreSQL twin passes."""

from __future__ import annotations

import pytest
from repository_case import RepositoryCase, Units

from cstatus.status_config.adapters.memory_unit_of_work import MemoryStore, memory_unit_of_work

pytestmark = pytest.mark.unit


class TestMemoryRepository(RepositoryCase):
    @pytest.fixture
    def units(self) -> Units:
        store = MemoryStore()
        return lambda: memory_unit_of_work(store)
