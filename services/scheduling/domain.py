"""Pure rules of scheduling. No I/O here."""

from __future__ import annotations

from shared.contracts.common import Contact


def participants(contacts: list[Contact]) -> list[Contact]:
    """The contacts who take part in the period's events (R2), in the order given, once each."""
    seen: set[str] = set()
    result: list[Contact] = []
    for contact in contacts:
        key = str(contact.email).lower()
        if contact.participates and key not in seen:
            seen.add(key)
            result.append(contact)
    return result
