"""Conversions between a stored registration, the API's models and the events' snapshot."""

from __future__ import annotations

from typing import Any

from services.registration import rules
from services.registration.catalogue import load_catalogue
from services.registration.models import KnownPeriod, Registration
from services.registration.schemas import CustomershipOut, RegistrationCreate, RegistrationPublic
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationWarning


def form_of(row: Registration) -> RegistrationCreate:
    """The form as stored (the organisation's last submitted version)."""
    return RegistrationCreate.model_validate(
        {
            "organisation": {
                "name": row.organisation_name,
                "business_id": row.business_id,
                "oid": row.oid,
                "sector": row.sector,
                "domain": row.domain,
            },
            "service": row.service,
            "reason": row.reason,
            "system": row.system,
            "vendor_handles_support": row.vendor_handles_support,
            "period": {"year": row.period_year, "number": row.period_number},
            "planned_production_start": row.planned_production_start,
            "customership": row.customership,
            "contacts": row.contacts,
        }
    )


def rule_form(form: RegistrationCreate) -> rules.Form:
    """What the pure rules need of a form."""
    customership = form.customership
    return rules.Form(
        domain=form.organisation.domain,
        service=form.service,
        service_domains=load_catalogue().domains_of(form.service),
        reason=form.reason,
        certified=form.system.certified,
        profile=form.system.profile,
        vendor_handles_support=form.vendor_handles_support,
        planned_production_start=form.planned_production_start,
        existing_customer=customership.existing_customer,
        checklist={item: getattr(customership, item) for item in rules.CHECKLIST},
    )


def window_of(period: KnownPeriod | None) -> rules.PeriodWindow | None:
    if period is None:
        return None
    return rules.PeriodWindow(
        year=period.year,
        number=period.number,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        registration_opens_on=period.registration_opens_on,
        registration_closes_on=period.registration_closes_on,
    )


def form_columns(form: RegistrationCreate, assessment: rules.Assessment) -> dict[str, Any]:
    """The table columns that hold the form and its assessment."""
    return {
        "business_id": form.organisation.business_id,
        "organisation_name": form.organisation.name,
        "oid": form.organisation.oid,
        "sector": form.organisation.sector,
        "domain": form.organisation.domain,
        "service": form.service,
        "reason": form.reason,
        "period_year": form.period.year,
        "period_number": form.period.number,
        "planned_production_start": form.planned_production_start,
        "vendor_handles_support": form.vendor_handles_support,
        "registration_required": assessment.registration_required,
        "system": form.system.model_dump(mode="json"),
        "customership": form.customership.model_dump(mode="json"),
        "contacts": [c.model_dump(mode="json") for c in form.contacts],
        "warnings": [{"code": w.code, "message": w.message} for w in assessment.warnings],
        "has_warnings": bool(assessment.warnings),
    }


def apply_form(row: Registration, form: RegistrationCreate, assessment: rules.Assessment) -> None:
    """Write the form and its assessment onto an existing row."""
    for name, value in form_columns(form, assessment).items():
        setattr(row, name, value)


def public(row: Registration) -> RegistrationPublic:
    """The registration as the API answers it."""
    return public_of(form_of(row), row)


def public_of(form: RegistrationCreate, row: Registration) -> RegistrationPublic:
    """The API's answer from the row and its form, when the form is at hand already
    (validated once, not rebuilt from the row and validated again)."""
    pending = rules.pending_checklist(rule_form(form))
    # The form's parts are validated models already, which pydantic takes as they are
    # (instances are not validated again); only the plain values are checked.
    data: dict[str, Any] = {name: getattr(form, name) for name in RegistrationCreate.model_fields}
    data["customership"] = CustomershipOut(**form.customership.model_dump(), pending=pending)
    return RegistrationPublic.model_validate(
        {
            **data,
            "id": row.id,
            "state": row.state,
            "registration_required": row.registration_required,
            "warnings": row.warnings,
            "state_note": row.state_note,
            "deployed_on": row.deployed_on,
            "submitted_at": row.submitted_at,
            "updated_at": row.updated_at,
        }
    )


def snapshot(row: Registration) -> dict[str, Any]:
    """The fields every `registration.*` event carries (shared.contracts.registration)."""
    return {
        "registration_id": row.id,
        "state": row.state,
        "organisation": OrganisationRef(
            name=row.organisation_name,
            business_id=row.business_id,
            domain=row.domain,
            sector=row.sector,
        ),
        "service": row.service,
        "reason": row.reason,
        "period": PeriodRef(year=row.period_year, number=row.period_number),
        "planned_production_start": row.planned_production_start,
        "registration_required": row.registration_required,
        "warnings": [RegistrationWarning.model_validate(w) for w in row.warnings],
        "contacts": [Contact.model_validate(c) for c in row.contacts],
    }
