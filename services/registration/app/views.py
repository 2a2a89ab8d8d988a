"""The one place where stored rows become the API's models and the events' fields."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from services.registration.app.records import (
    CustomershipRecord,
    DeploymentTestRecord,
    HistoryRecord,
    NoticeHistoryRecord,
    NoticeRecord,
    PeriodRecord,
    RegistrationRecord,
)
from services.registration.app.schemas.customerships import CustomershipPublic
from services.registration.app.schemas.deployment_tests import DeploymentTestPublic
from services.registration.app.schemas.notices import NoticeHistoryEntry, NoticePublic
from services.registration.app.schemas.registrations import (
    Actor,
    CustomershipOut,
    HistoryEntry,
    RegistrationCreate,
    RegistrationPublic,
)
from services.registration.domain import deployment_tests, rules
from services.registration.domain.customership import Checklist, is_formed
from services.registration.domain.deployment_tests import DeploymentTestState
from shared.auth import Principal
from shared.catalogue import load_catalogue
from shared.contracts.common import Contact, PeriodRef
from shared.contracts.registration import OrganisationRef, RegistrationWarning

# --- Registrations --------------------------------------------------------------------------


def form_of(row: RegistrationRecord) -> RegistrationCreate:
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
        contact_emails=tuple(contact.email for contact in form.contacts),
    )


def window_of(period: PeriodRecord | None) -> rules.PeriodWindow | None:
    """The period's dates as the rules need them (None: not a known period)."""
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


def apply_form(
    row: RegistrationRecord, form: RegistrationCreate, assessment: rules.Assessment
) -> None:
    """Write the form and its assessment onto an existing row."""
    for name, value in form_columns(form, assessment).items():
        setattr(row, name, value)


def registration_public(row: RegistrationRecord) -> RegistrationPublic:
    """The registration as the API answers it."""
    return registration_public_of(form_of(row), row)


def registration_public_of(form: RegistrationCreate, row: RegistrationRecord) -> RegistrationPublic:
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
            "revision": row.revision,
            "submitted_at": row.submitted_at,
            "updated_at": row.updated_at,
        }
    )


def registration_snapshot(row: RegistrationRecord) -> dict[str, Any]:
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
        "contacts": contacts_of(row),
        "revision": row.revision,
    }


def contacts_of(row: RegistrationRecord) -> list[Contact]:
    """The registration's contacts as the events carry them."""
    return [Contact.model_validate(contact) for contact in row.contacts]


def history_entry_public(entry: HistoryRecord, caller: Principal) -> HistoryEntry:
    """One history row as the caller may see it."""
    return HistoryEntry(
        at=entry.at,
        actor=_actor(entry, caller),
        action=entry.action,
        from_state=entry.from_state,
        to_state=entry.to_state,
        changes=entry.changes,
        note=entry.note,
    )


def _actor(entry: HistoryRecord, caller: Principal) -> Actor:
    # Organisations see that Kela's staff acted, not which staff client did.
    if entry.actor_role == "staff" and not caller.is_staff:
        return Actor(client_id=None, role="staff", name="Kela")
    return Actor(client_id=entry.actor_client_id, role=entry.actor_role, name=entry.actor_name)


# --- Notices (R9) ---------------------------------------------------------------------------


def notice_public(
    notice: NoticeRecord, history: Sequence[NoticeHistoryRecord] | None = None
) -> NoticePublic:
    """A notice as the API answers it, with its history when given."""
    return NoticePublic(
        id=notice.id,
        kind=notice.kind,
        business_id=notice.business_id,
        organisation_name=notice.organisation_name,
        details=notice.details,
        effective_on=notice.effective_on,
        routed_to_kela=notice.routed_to_kela,
        state=notice.state,
        created_at=notice.created_at,
        acknowledged_at=notice.acknowledged_at,
        history=[
            NoticeHistoryEntry(
                at=h.at,
                actor=h.actor,
                role=h.role,
                action=h.action,
                old_state=h.old_state,
                new_state=h.new_state,
            )
            for h in history or []
        ],
    )


# --- Deployment tests (R10) -----------------------------------------------------------------


def deployment_test_public(test: DeploymentTestRecord, *, today: date) -> DeploymentTestPublic:
    """A deployment test as the API answers it; overdue is judged against `today`."""
    overdue = test.overdue_flagged_at is not None or (
        test.state == DeploymentTestState.SUCCEEDED
        and test.report_due_on is not None
        and deployment_tests.report_overdue(test.report_due_on, today)
    )
    return DeploymentTestPublic(
        id=test.id,
        registration_id=test.registration_id,
        business_id=test.business_id,
        service=test.service,
        environment=test.environment,
        planned_on=test.planned_on,
        state=test.state,
        tested_on=test.tested_on,
        test_identities=test.test_identities,
        report_due_on=test.report_due_on,
        report_overdue=overdue,
        reported_at=test.reported_at,
        reported_late=test.reported_late,
        report=test.report,
    )


def deployment_test_event_fields(
    test: DeploymentTestRecord, registration: RegistrationRecord
) -> dict[str, Any]:
    """The fields every `deployment_test.*` event carries."""
    return {
        "test_id": test.id,
        "registration_id": test.registration_id,
        "business_id": test.business_id,
        "organisation_name": registration.organisation_name,
        "service": test.service,
        "tested_on": test.tested_on,
        "report_due_on": test.report_due_on,
        "contacts": contacts_of(registration),
    }


# --- Customership (R8) ----------------------------------------------------------------------


def checklist_of(record: CustomershipRecord) -> Checklist:
    """The customership's checklist as the rules see it."""
    return Checklist(**{name: getattr(record, name) for name in rules.CHECKLIST})


def customership_formed(record: CustomershipRecord | None) -> bool:
    """R8: whether the organisation's customership is formed (None: nothing recorded)."""
    return record is not None and is_formed(
        existing_customer=record.existing_customer, formed_on=record.formed_on
    )


def customership_public(record: CustomershipRecord) -> CustomershipPublic:
    """A customership as the API answers it."""
    formed = customership_formed(record)
    return CustomershipPublic(
        business_id=record.business_id,
        organisation_name=record.organisation_name,
        existing_customer=record.existing_customer,
        checklist={name: getattr(record, name) for name in rules.CHECKLIST},
        missing=[] if formed else checklist_of(record).missing(),
        formed=formed,
        formed_on=record.formed_on,
    )
