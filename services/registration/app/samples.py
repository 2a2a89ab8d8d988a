"""Sample registrations: the documented example form and valid organisations to fill it.

Used by the OpenAPI example, and by tests, the demo and the benchmarks that need many
distinct organisations (one active registration per organisation, service and period).
"""

from __future__ import annotations

import copy
from typing import Any

Y_TUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)

EXAMPLE_FORM: dict[str, Any] = {
    "organisation": {
        "name": "Esimerkki Terveys Oy",
        "business_id": "2077474-0",
        "oid": "1.2.246.10.20774740.10.0",
        "sector": "private",
        "domain": "health_care",
    },
    "service": "patient_data_repository",
    "reason": "first_deployment",
    "system": {
        "product": "Potilas Pro",
        "vendor": "Toimittaja Oy",
        "version": "5.2",
        "certified": True,
        "profile": None,
    },
    "vendor_handles_support": False,
    "period": {"year": 2027, "number": 1},
    "planned_production_start": "2027-04-15",
    "customership": {
        "existing_customer": False,
        "commitment_signed_on": None,
        "service_application_on": None,
        "service_description_accepted_on": None,
        "details_submitted_on": None,
    },
    "contacts": [
        {
            "name": "Tekninen Yhteyshenkilö",
            "email": "maija@example.fi",
            "role": "technical",
            "language": "fi",
            "participates": True,
        }
    ],
}


def business_ids(count: int, *, start: int = 1_000_000) -> list[str]:
    """`count` valid, distinct business IDs (Y-tunnus) from `start` on, skipping the
    never-issued ones whose remainder is 1."""
    found: list[str] = []
    number = start
    while len(found) < count:
        digits = f"{number:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, Y_TUNNUS_WEIGHTS, strict=True)) % 11
        if remainder != 1:
            found.append(f"{digits}-{0 if remainder == 0 else 11 - remainder}")
        number += 1
    return found


def organisation_oid(business_id: str) -> str:
    """The organisation's OID in the SOTE register: its business ID digits, no leading zero."""
    return f"1.2.246.10.{business_id.replace('-', '').lstrip('0')}.10.0"


def example_form(
    business_id: str = "2077474-0",
    *,
    name: str | None = None,
    contacts: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """The example form for another organisation (and other contacts or fields)."""
    form = copy.deepcopy(EXAMPLE_FORM)
    form["organisation"].update(
        name=name or f"Organisaatio {business_id}",
        business_id=business_id,
        oid=organisation_oid(business_id),
    )
    if contacts is not None:
        form["contacts"] = contacts
    form.update(overrides)
    return form
