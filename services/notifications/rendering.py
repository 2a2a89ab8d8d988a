"""Mail templates: a registry of named templates, each a subject, plain text and HTML per language.

A template `<name>` lives in `templates/<name>/` as `<lang>.subject.txt`, `<lang>.txt` and
`<lang>.html`; the bodies extend `layout.txt` / `layout.html` (greeting, signature, footer)
and include the shared `_*.txt` / `_*.html` parts. Each template declares the pydantic model
of its variables; Jinja's `StrictUndefined` turns any variable a template uses but the model
lacks into an error, and HTML output is autoescaped. Dates and times are shown on Helsinki
time, formatted for the mail's language by babel. Adding a mail is: the files, a context
model and one `MailTemplate` entry in `TEMPLATES`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from pydantic import BaseModel, ConfigDict, Field

from services.notifications.catalogue import (
    CONNECTION_POINT_CHANGES,
    NOTICE_DETAIL_LABELS,
    NOTICE_KIND_LABELS,
    SERVICE_LABELS,
    label,
    service_label,
)
from services.notifications.domain import choose_language
from services.notifications.ics import TIMEZONE, session_title
from shared.contracts.common import PeriodRef
from shared.contracts.registration import RegistrationWarning
from shared.contracts.scheduling import SessionInfo

TEMPLATE_DIR = Path(__file__).parent / "templates"
# Optional paragraphs leave runs of blank lines in plain text; one blank line is enough.
_BLANK_LINES = re.compile(r"\n{3,}")
LANGUAGES = frozenset({"fi", "sv", "en"})
MAX_SUBJECT = 900


class MailContext(BaseModel):
    """What every mail has: the person it greets."""

    model_config = ConfigDict(frozen=True)

    contact_name: str


class PeriodDates(BaseModel):
    """A period's first and last day, when the period is known from scheduling's events."""

    model_config = ConfigDict(frozen=True)

    starts_on: date
    ends_on: date


class RegistrationSummary(MailContext):
    """What every registration mail shows about the registration."""

    organisation_name: str
    business_id: str
    registration_id: uuid.UUID
    service: str
    period: PeriodRef
    period_dates: PeriodDates | None = None


class ReceiptContext(RegistrationSummary):
    """Variables of `registration_received` and `registration_staff_copy`."""

    planned_production_start: date | None = None
    registration_required: bool = True
    warnings: list[RegistrationWarning] = Field(default_factory=list)
    submitted_at: datetime
    staff_copy: bool = False


class DecisionContext(RegistrationSummary):
    """Variables of the mails on a registration's later states (accepted, rejected, …)."""

    note: str | None = None
    from_period: PeriodRef | None = None
    sessions: list[SessionInfo] = Field(default_factory=list)


class Change(BaseModel):
    """One changed field of a rescheduled session, old → new (datetimes already parsed)."""

    model_config = ConfigDict(frozen=True)

    field: str
    old: Any
    new: Any


class SessionContext(MailContext):
    """Variables of the mails about one session: enrolments, changes, reminders."""

    session: SessionInfo
    position: int | None = None
    note: str | None = None
    changes: list[Change] = Field(default_factory=list)
    feed_url: str | None = None


class NoticeContext(MailContext):
    """Variables of `notice_to_kela`: a change notice of an extension of use (R9)."""

    notice_id: uuid.UUID
    kind: str
    business_id: str
    organisation_name: str
    details: dict[str, Any] = Field(default_factory=dict)
    effective_on: date | None = None


class DeploymentTestContext(MailContext):
    """Variables of the deployment-test mails: the test and its report deadline (R10)."""

    organisation_name: str
    business_id: str
    registration_id: uuid.UUID
    service: str
    tested_on: date | None = None
    report_due_on: date | None = None


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


@dataclass(frozen=True)
class RenderedMail:
    """A mail ready to store: the language actually used, subject and both bodies."""

    template: str
    language: str
    subject: str
    text: str
    html: str


class UnknownTemplate(LookupError):
    """No template of that name is registered."""


def render(template: str, context: BaseModel, *, language: str | None) -> RenderedMail:
    """Render a registered template in the requested language, or Finnish when it lacks one."""
    spec = TEMPLATES.get(template)
    if spec is None:
        raise UnknownTemplate(f"no mail template {template!r}")
    if not isinstance(context, spec.context):
        raise TypeError(f"{template} takes {spec.context.__name__}, not {type(context).__name__}")
    chosen = choose_language(language, spec.languages)
    variables: dict[str, Any] = {**dict(context), "language": chosen}
    env = environment()
    folder = spec.files
    subject = env.get_template(f"{folder}/{chosen}.subject.txt").render(variables)
    return RenderedMail(
        template=template,
        language=chosen,
        # One header line, whatever the data held, and within RFC 5322's line limit.
        subject=" ".join(subject.split())[:MAX_SUBJECT],
        text=_BLANK_LINES.sub("\n\n", env.get_template(f"{folder}/{chosen}.txt").render(variables)),
        html=env.get_template(f"{folder}/{chosen}.html").render(variables),
    )


@cache
def environment() -> Environment:
    """The one Jinja environment: autoescaped HTML, strict about undefined variables."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["datetime"] = _format_datetime
    env.filters["date"] = _format_date
    env.filters["time"] = _format_time
    env.filters["session_title"] = _title
    env.filters["service"] = _service
    env.filters["period"] = _period
    env.filters["value"] = _value
    env.filters["notice_kind"] = _notice_kind
    env.filters["detail_label"] = _detail_label
    env.filters["detail_value"] = _detail_value
    return env


@pass_context
def _format_datetime(context: Context, value: datetime) -> str:
    """A date and time in the mail's language, on Finnish time (`{{ submitted_at|datetime }}`)."""
    language = context["language"]
    local = value.astimezone(TIMEZONE)
    pattern = Locale.parse(language).datetime_formats["long"]
    return str(pattern).format(
        format_time(local, "short", locale=language),
        format_date(local, "long", locale=language),
    )


@pass_context
def _format_date(context: Context, value: date | datetime) -> str:
    """A calendar day in the mail's language (a datetime: its day on Finnish time)."""
    if isinstance(value, datetime):
        value = value.astimezone(TIMEZONE).date()
    return format_date(value, "long", locale=context["language"])


@pass_context
def _format_time(context: Context, value: datetime) -> str:
    """A time of day on Finnish time, in the mail's language."""
    return format_time(value.astimezone(TIMEZONE), "short", locale=context["language"])


@pass_context
def _title(context: Context, session: SessionInfo) -> str:
    return session_title(session, context["language"])


@pass_context
def _service(context: Context, code: str) -> str:
    return service_label(code, context["language"])


_PERIOD_WORDS = {"fi": "käyttöönottojakso", "sv": "införandeperiod", "en": "deployment period"}


@pass_context
def _period(context: Context, period: PeriodRef) -> str:
    """`käyttöönottojakso 1/2027`, `införandeperiod 1/2027`, `deployment period 1/2027`."""
    return f"{_PERIOD_WORDS[context['language']]} {period.number}/{period.year}"


_EMPTY = {"fi": "(ei mitään)", "sv": "(inget)", "en": "(none)"}


@pass_context
def _value(context: Context, value: Any) -> str:
    """A changed value as a person reads it: times on Finnish time, nothing as a dash."""
    if value is None or value == "":
        return _EMPTY[context["language"]]
    if isinstance(value, datetime):
        return str(_format_datetime(context, value))
    if isinstance(value, date):
        return str(_format_date(context, value))
    return str(value)


@pass_context
def _notice_kind(context: Context, kind: str) -> str:
    """A notice's kind as a person reads it (`Liityntäpisteen muutos`), else its code."""
    return label(NOTICE_KIND_LABELS, kind, context["language"])


@pass_context
def _detail_label(context: Context, key: str) -> str:
    """The name of a notice's detail field, else the field's key."""
    return label(NOTICE_DETAIL_LABELS, key, context["language"])


@pass_context
def _detail_value(context: Context, value: Any, key: str = "") -> str:
    """A notice's detail as a person reads it: dates, numbers and codes in the mail's language."""
    language: str = context["language"]
    if isinstance(value, list | tuple):
        return ", ".join(_detail_value(context, item, key) for item in value) or _EMPTY[language]
    if value is None or value == "" or isinstance(value, bool | dict):
        return str(_value(context, value))
    if isinstance(value, int | float):
        return format_decimal(value, locale=language)
    if isinstance(value, date):
        return str(_format_date(context, value))
    text = str(value)
    if key == "change":
        return label(CONNECTION_POINT_CHANGES, text, language)
    if text in SERVICE_LABELS:  # the document groups are catalogue codes
        return service_label(text, language)
    if _ISO_DAY.fullmatch(text):
        try:
            return str(_format_date(context, date.fromisoformat(text)))
        except ValueError:
            return text
    return text


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
