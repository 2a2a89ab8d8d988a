"""Pure rules of the Kanta customership (R8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Checklist:
    """What forms a Kanta customership (R8), each with the day it was done."""

    commitment_signed_on: date | None
    service_application_on: date | None
    service_description_accepted_on: date | None
    details_submitted_on: date | None

    def missing(self) -> list[str]:
        """The steps still without a date."""
        return [name for name, done in vars(self).items() if done is None]

    @property
    def complete(self) -> bool:
        return not self.missing()


def is_formed(*, existing_customer: bool, formed_on: date | None) -> bool:
    """R8: formed once (or already a customer before this system): never asked again."""
    return existing_customer or formed_on is not None
