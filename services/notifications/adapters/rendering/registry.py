"""The registry of named mails: each one's context model, languages and template folder."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from services.notifications.adapters.rendering.contexts import (
    DecisionContext,
    DeploymentTestContext,
    NoticeContext,
    ReceiptContext,
    SessionContext,
)

LANGUAGES = frozenset({"fi", "sv", "en"})


@dataclass(frozen=True)
class MailTemplate:
    """A named mail, the languages it is written in, the model of its variables, its files."""

    name: str
    context: type[BaseModel]
    languages: frozenset[str] = LANGUAGES
    directory: str = ""

    @property
    def files(self) -> str:
        """The folder under `templates/` holding its files (its name unless shared)."""
        return self.directory or self.name


REGISTRATION_RECEIVED = MailTemplate("registration_received", ReceiptContext)
REGISTRATION_STAFF_COPY = MailTemplate(
    "registration_staff_copy", ReceiptContext, directory="registration_received"
)
REGISTRATION_ACCEPTED = MailTemplate("registration_accepted", DecisionContext)
REGISTRATION_REJECTED = MailTemplate("registration_rejected", DecisionContext)
REGISTRATION_RETURNED = MailTemplate("registration_returned", DecisionContext)
REGISTRATION_MOVED = MailTemplate("registration_moved", DecisionContext)
REGISTRATION_WITHDRAWN = MailTemplate("registration_withdrawn", DecisionContext)
ENROLMENT_CONFIRMED = MailTemplate("enrolment_confirmed", SessionContext)
ENROLMENT_WAITLISTED = MailTemplate("enrolment_waitlisted", SessionContext)
ENROLMENT_PROMOTED = MailTemplate("enrolment_promoted", SessionContext)
ENROLMENT_CANCELLED = MailTemplate("enrolment_cancelled", SessionContext)
SESSION_RESCHEDULED = MailTemplate("session_rescheduled", SessionContext)
SESSION_CANCELLED = MailTemplate("session_cancelled", SessionContext)
SESSION_REMINDER = MailTemplate("session_reminder", SessionContext)
NOTICE_TO_KELA = MailTemplate("notice_to_kela", NoticeContext)
DEPLOYMENT_TEST_SUCCEEDED = MailTemplate("deployment_test_succeeded", DeploymentTestContext)
DEPLOYMENT_TEST_REPORT_REMINDER = MailTemplate(
    "deployment_test_report_reminder", DeploymentTestContext
)
DEPLOYMENT_TEST_REPORT_OVERDUE = MailTemplate(
    "deployment_test_report_overdue", DeploymentTestContext
)

TEMPLATES: dict[str, MailTemplate] = {
    t.name: t
    for t in (
        REGISTRATION_RECEIVED,
        REGISTRATION_STAFF_COPY,
        REGISTRATION_ACCEPTED,
        REGISTRATION_REJECTED,
        REGISTRATION_RETURNED,
        REGISTRATION_MOVED,
        REGISTRATION_WITHDRAWN,
        ENROLMENT_CONFIRMED,
        ENROLMENT_WAITLISTED,
        ENROLMENT_PROMOTED,
        ENROLMENT_CANCELLED,
        SESSION_RESCHEDULED,
        SESSION_CANCELLED,
        SESSION_REMINDER,
        NOTICE_TO_KELA,
        DEPLOYMENT_TEST_SUCCEEDED,
        DEPLOYMENT_TEST_REPORT_REMINDER,
        DEPLOYMENT_TEST_REPORT_OVERDUE,
    )
}
