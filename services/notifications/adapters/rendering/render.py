"""Rendering a registered mail: subject, plain text and HTML in the chosen language.

Jinja's `StrictUndefined` turns any variable a template uses but its context model lacks
into an error, HTML output is autoescaped, and every printed value stays on its own line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel

from services.notifications.adapters.rendering import filters
from services.notifications.adapters.rendering.lines import one_line
from services.notifications.adapters.rendering.registry import TEMPLATES
from services.notifications.domain.mail import choose_language

TEMPLATE_DIR = Path(__file__).parent / "templates"
# Optional paragraphs leave runs of blank lines in plain text; one blank line is enough.
_BLANK_LINES = re.compile(r"\n{3,}")
MAX_SUBJECT = 900


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


def render(
    template: str,
    context: BaseModel,
    *,
    language: str | None,
    today: date | None = None,
    contact: str | None = None,
) -> RenderedMail:
    """Render a registered template in the requested language, or Finnish when it lacks one.

    `today` (Helsinki's calendar day, from the clock) lets a mail say "today" or "tomorrow"
    of a due day and never give a past day as a deadline; `contact` is Kela's contact
    address, which every mail gives.
    """
    spec = TEMPLATES.get(template)
    if spec is None:
        raise UnknownTemplate(f"no mail template {template!r}")
    if not isinstance(context, spec.context):
        raise TypeError(f"{template} takes {spec.context.__name__}, not {type(context).__name__}")
    chosen = choose_language(language, spec.languages)
    variables: dict[str, Any] = {
        **dict(context),
        "language": chosen,
        "today": today,
        "contact_address": contact,
    }
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
    """The one Jinja environment: autoescaped HTML, strict about undefined variables.

    Every printed value passes `one_line` first, so no value can start a line of its own in
    a plain-text mail (free text is printed through the `quoted` filter).
    """
    env = Environment(
        finalize=one_line,
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters.FILTERS)
    return env
