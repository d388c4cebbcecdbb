"""The simulated customers: who they are and how they behave over the simulated months."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

__all__ = ["Customer", "Kind", "people"]

Kind = Literal["lead", "dormant", "regular"]
"""`lead`: signed up, never came; `dormant`: came in the first months, then stopped; `regular`: active."""

_FIRST = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katrin",
    "Lukas", "Mila", "Noah", "Olivia", "Paul", "Rosa", "Sami", "Tara", "Victor", "Yara", "Zoe",
)  # fmt: skip
_LAST = (
    "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jansen",
    "Kowalski", "Larsen", "Meyer", "Novak", "Olsen", "Peters", "Rossi", "Schmidt", "Weber",
)  # fmt: skip
_KINDS: tuple[Kind, ...] = ("lead", "dormant", "regular")
_KIND_WEIGHTS = (12, 15, 73)
_STAYS = (1, 2, 3, 4, 5, 6, 7, 8, 10, 12)
_STAY_WEIGHTS = (22, 18, 15, 12, 10, 8, 6, 4, 3, 2)


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    number: str
    first_name: str
    last_name: str
    email: str
    marketing_opt_in: bool
    kind: Kind
    bookings: int
    """Reservations booked over the simulated months (0 for leads)."""


def people(count: int, rng: random.Random) -> list[Customer]:
    """`count` customers with ids `cust-00001`…, a mix of leads, dormant and regular guests."""
    customers = []
    for n in range(1, count + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        kind = rng.choices(_KINDS, _KIND_WEIGHTS)[0]
        bookings = 0 if kind == "lead" else rng.choices(_STAYS, _STAY_WEIGHTS)[0]
        if kind == "dormant":
            bookings = min(bookings, 3)
        customers.append(
            Customer(
                id=f"cust-{n:05d}",
                number=f"C{100000 + n}",
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{n}@example.com".lower(),
                marketing_opt_in=rng.random() < 0.35,
                kind=kind,
                bookings=bookings,
            )
        )
    return customers
