"""Jinja filters of the mails: dates, times, services and notice details in the mail's language.

Dates and times are shown on Helsinki time, formatted by babel for the language the mail is
rendered in (the `language` variable of every template).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from services.notifications.adapters.ics import session_title
from services.notifications.adapters.rendering.lines import Block, one_line, quoted
from services.notifications.adapters.rendering.wording import (
    CANCELLATION_REASONS,
    CONNECTION_POINT_CHANGES,
    CONTACT_ROLES,
    EMPTY,
    LANGUAGE_NAMES,
    NOT_PARTICIPATING,
    NOTICE_DETAIL_LABELS,
    NOTICE_KIND_LABELS,
    PERIOD_WORDS,
    REASON_LABEL,
    STAFF_WORDS,
    TODAY,
    TOMORROW,
    UNKNOWN_CANCELLATION,
    UNKNOWN_WARNING,
    WARNINGS,
    label,
)
from shared.catalogue import load_catalogue
from shared.clock import HELSINKI
from shared.contracts.common import PeriodRef
from shared.contracts.scheduling import SessionInfo

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# A reason that is a code (`cancelled_by_staff`), not words someone wrote.
_CODE = re.compile(r"[a-z][a-z0-9_]*")


@pass_context
def format_datetime(context: Context, value: datetime) -> str:
    """A date and time in the mail's language, on Finnish time (`{{ submitted_at|datetime }}`)."""
    language = context["language"]
    local = value.astimezone(HELSINKI)
    pattern = Locale.parse(language).datetime_formats["long"]
    return str(pattern).format(
        format_time(local, "short", locale=language),
        format_date(local, "long", locale=language),
    )


@pass_context
def format_day(context: Context, value: date | datetime) -> str:
    """A calendar day in the mail's language (a datetime: its day on Finnish time)."""
    if isinstance(value, datetime):
        value = value.astimezone(HELSINKI).date()
    return format_date(value, "long", locale=context["language"])


@pass_context
def format_clock_time(context: Context, value: datetime) -> str:
    """A time of day on Finnish time, in the mail's language."""
    return format_time(value.astimezone(HELSINKI), "short", locale=context["language"])


@pass_context
def title(context: Context, session: SessionInfo) -> str:
    """The session's title in the mail's language (Finnish when it has none in it)."""
    return session_title(session, context["language"])


@pass_context
def service(context: Context, code: str) -> str:
    """The catalogue's name of a service in the mail's language, with its former name."""
    return load_catalogue().label(code, context["language"])


@pass_context
def period(context: Context, ref: PeriodRef) -> str:
    """`käyttöönottojakso 1/2027`, `införandeperiod 1/2027`, `deployment period 1/2027`."""
    return f"{PERIOD_WORDS[context['language']]} {ref.number}/{ref.year}"


@pass_context
def changed_value(context: Context, item: Any) -> str:
    """A changed value as a person reads it: times on Finnish time, nothing as a dash."""
    if item is None or item == "":
        return EMPTY[context["language"]]
    if isinstance(item, datetime):
        return str(format_datetime(context, item))
    if isinstance(item, date):
        return str(format_day(context, item))
    if isinstance(item, dict) and "fi" in item:  # a localised title: the mail's language
        return str(item.get(context["language"]) or item["fi"])
    return str(item)


@pass_context
def notice_kind(context: Context, kind: str) -> str:
    """A notice's kind as a person reads it (`Liityntäpisteen muutos`), else its code."""
    return label(NOTICE_KIND_LABELS, kind, context["language"])


@pass_context
def detail_label(context: Context, key: str) -> str:
    """The name of a notice's detail field, else the field's key."""
    return label(NOTICE_DETAIL_LABELS, key, context["language"])


@pass_context
def detail_value(context: Context, item: Any, key: str = "") -> str:
    """A notice's detail as a person reads it: dates, numbers and codes in the mail's language."""
    language: str = context["language"]
    if isinstance(item, list | tuple):
        return ", ".join(detail_value(context, one, key) for one in item) or EMPTY[language]
    if item is None or item == "" or isinstance(item, bool | dict):
        return str(changed_value(context, item))
    if isinstance(item, int | float):
        return format_decimal(item, locale=language)
    if isinstance(item, date):
        return str(format_day(context, item))
    text = str(item)
    if key == "change":
        return label(CONNECTION_POINT_CHANGES, text, language)
    catalogue = load_catalogue()
    if catalogue.service(text) is not None:  # the document groups are catalogue codes
        return catalogue.label(text, language)
    if _ISO_DAY.fullmatch(text):
        try:
            return str(format_day(context, date.fromisoformat(text)))
        except ValueError:
            return text
    return text


@pass_context
def due(context: Context, value: date) -> str:
    """A due day as a person says it: "today, 1 December", "tomorrow, 2 December", or the day.

    Today comes from the clock (the `today` variable); without it the day is given as such.
    """
    language: str = context["language"]
    day = str(format_day(context, value))
    today: date | None = context.get("today")
    if today is None:
        return day
    if value == today:
        return f"{TODAY[language]}, {day}"
    if (value - today).days == 1:
        return f"{TOMORROW[language]}, {day}"
    return day


@pass_context
def staff_words(context: Context, note: str, heading: str) -> str:
    """Free text staff wrote, as written, under `heading` and marked as theirs.

    Plain text: every line behind "> ", so none can pass for a line of the mail; HTML: a
    quotation, its lines kept.
    """
    marked = f"{heading} ({STAFF_WORDS[context['language']]}):"
    if context.eval_ctx.autoescape:
        lines = [escape(line[2:]) for line in quoted(note).splitlines()]
        body = Markup("<br>").join(lines)
        return Markup(
            '<p>{}</p><blockquote style="margin:0 0 12px 0;padding-left:12px;'
            'border-left:3px solid #cccccc;">{}</blockquote>'
        ).format(one_line(marked), body)
    return Block(f"{one_line(marked)}\n{quoted(note)}")


@pass_context
def cancellation_reason(context: Context, reason: str) -> str:
    """Why a place ended, as a sentence in the mail's language (#14.6); words staff wrote
    are shown as written and marked as theirs; a code is never shown as the code."""
    language: str = context["language"]
    code = reason.strip()
    if code in CANCELLATION_REASONS or _CODE.fullmatch(code):
        sentence = (
            label(CANCELLATION_REASONS, code, language)
            if code in CANCELLATION_REASONS
            else UNKNOWN_CANCELLATION[language]
        )
        return Markup("<p>{}</p>").format(sentence) if context.eval_ctx.autoescape else sentence
    return staff_words(context, reason, REASON_LABEL[language])


@pass_context
def contact_line(context: Context, contact: Any) -> str:
    """A contact as the staff copy lists it: name, address, role, language (no codes)."""
    language: str = context["language"]
    parts = [f"{contact.name} <{contact.email}>"]
    if contact.role:
        parts.append(label(CONTACT_ROLES, contact.role, language))
    parts.append(label(LANGUAGE_NAMES, contact.language, language))
    if not contact.participates:
        parts.append(NOT_PARTICIPATING[language])
    return ", ".join(parts)


@pass_context
def warning_text(context: Context, warning: Any, staff: bool = False) -> str:
    """A registration's warning as a sentence in the mail's language, from its code (R6, R7).

    Staff also see the code and the registration service's own wording.
    """
    language: str = context["language"]
    start = context.get("planned_production_start")
    when = f" ({format_day(context, start)})" if isinstance(start, date) else ""
    templates = WARNINGS.get(warning.code)
    text = (
        templates[language].format(start=when)
        if templates is not None
        else UNKNOWN_WARNING[language]
    )
    if staff:
        text += f" [{warning.code}: {warning.message}]"
    return text


FILTERS: dict[str, Callable[..., str]] = {
    "datetime": format_datetime,
    "date": format_day,
    "time": format_clock_time,
    "session_title": title,
    "service": service,
    "period": period,
    "value": changed_value,
    "notice_kind": notice_kind,
    "detail_label": detail_label,
    "detail_value": detail_value,
    "due": due,
    "staff_words": staff_words,
    "cancellation_reason": cancellation_reason,
    "warning": warning_text,
    "contact_line": contact_line,
}
