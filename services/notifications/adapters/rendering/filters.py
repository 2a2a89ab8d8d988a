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

from services.notifications.adapters.ics import session_title
from services.notifications.adapters.rendering.wording import (
    CONNECTION_POINT_CHANGES,
    EMPTY,
    NOTICE_DETAIL_LABELS,
    NOTICE_KIND_LABELS,
    PERIOD_WORDS,
    label,
)
from shared.catalogue import load_catalogue
from shared.clock import HELSINKI
from shared.contracts.common import PeriodRef
from shared.contracts.scheduling import SessionInfo

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


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
}
