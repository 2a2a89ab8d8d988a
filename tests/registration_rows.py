"""A stored registration row matching a `registration.submitted` event, for outbox tests."""

from __future__ import annotations

from datetime import datetime

from services.registration.adapters.tables import Registration
from shared.clock import SystemClock, helsinki_date
from shared.contracts.registration import RegistrationSubmitted


def registration_row(event: RegistrationSubmitted, *, at: datetime | None = None) -> Registration:
    """The row a handler would have written with `event` (the form's details are minimal)."""
    now = at or SystemClock().now()
    return Registration(
        id=event.registration_id,
        business_id=event.organisation.business_id,
        organisation_name=event.organisation.name,
        oid="1.2.246.10.20774740.10.0",
        sector=event.organisation.sector,
        domain=event.organisation.domain,
        service=event.service,
        reason=event.reason,
        period_year=event.period.year,
        period_number=event.period.number,
        planned_production_start=event.planned_production_start or helsinki_date(now),
        vendor_handles_support=not event.registration_required,
        registration_required=event.registration_required,
        system={"product": "P", "vendor": "V", "version": "1", "certified": True, "profile": None},
        customership={"existing_customer": True},
        contacts=[c.model_dump(mode="json") for c in event.contacts],
        warnings=[w.model_dump() for w in event.warnings],
        has_warnings=bool(event.warnings),
        state=event.state,
        submitted_by="test",
        submitted_at=now,
        updated_at=now,
    )
