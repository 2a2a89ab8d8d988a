"""Mail templates: a registry of named templates, each a subject, plain text and HTML per language.

A template `<name>` lives in `templates/<name>/` as `<lang>.subject.txt`, `<lang>.txt` and
`<lang>.html` (the HTML extends `layout.html`). Each template declares the pydantic model of
its variables; Jinja's `StrictUndefined` turns any variable a template uses but the model
lacks into an error, and HTML output is autoescaped. Adding a mail is: the files, a context
model and one `MailTemplate` entry in `TEMPLATES`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from pydantic import BaseModel, ConfigDict

from services.notifications.domain import choose_language

TEMPLATE_DIR = Path(__file__).parent / "templates"
TIMEZONE = ZoneInfo("Europe/Helsinki")


class ReceiptContext(BaseModel):
    """Variables of `registration_received`."""

    model_config = ConfigDict(frozen=True)

    contact_name: str
    organisation_name: str
    business_id: str
    registration_id: uuid.UUID
    submitted_at: datetime


@dataclass(frozen=True)
class MailTemplate:
    """A named mail, the languages it is written in and the model of its variables."""

    name: str
    context: type[BaseModel]
    languages: frozenset[str]


REGISTRATION_RECEIVED = MailTemplate(
    name="registration_received",
    context=ReceiptContext,
    languages=frozenset({"fi", "sv", "en"}),
)

TEMPLATES: dict[str, MailTemplate] = {t.name: t for t in (REGISTRATION_RECEIVED,)}


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
    subject = env.get_template(f"{template}/{chosen}.subject.txt").render(variables)
    return RenderedMail(
        template=template,
        language=chosen,
        subject=" ".join(subject.split()),  # one header line, whatever the data held
        text=env.get_template(f"{template}/{chosen}.txt").render(variables),
        html=env.get_template(f"{template}/{chosen}.html").render(variables),
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
