"""Mail templates render in every language they declare, strictly and escaped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jinja2
import pytest
from jinja2 import meta

from services.notifications.rendering import (
    REGISTRATION_RECEIVED,
    TEMPLATE_DIR,
    TEMPLATES,
    ReceiptContext,
    UnknownTemplate,
    environment,
    render,
)

REGISTRATION_ID = uuid.UUID("6a1f0c5e-2b7d-4c3e-9f1a-0d2e3c4b5a69")

# 09:05 UTC on 2 July is 12:05 in Helsinki (summer time, UTC+3).
SUMMER = datetime(2026, 7, 2, 9, 5, tzinfo=UTC)
# 22:30 UTC on 31 December is already 00:30 on 1 January in Helsinki (UTC+2).
NEW_YEAR = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)


def receipt(**overrides: object) -> ReceiptContext:
    values: dict[str, object] = {
        "contact_name": "Maija Meikäläinen",
        "organisation_name": "Esimerkki Terveys Oy",
        "business_id": "2077474-0",
        "registration_id": REGISTRATION_ID,
        "submitted_at": SUMMER,
    }
    values.update(overrides)
    return ReceiptContext.model_validate(values)


EXPECTED = {
    # language: (subject phrase, body phrase, business id label, submitted time in Helsinki)
    "fi": (
        "Ilmoittautumisenne on vastaanotettu",
        "olemme vastaanottaneet ilmoittautumisenne",
        "Y-tunnus",
        "2. heinäkuuta 2026 12.05",
    ),
    "sv": (
        "Er anmälan har tagits emot",
        "vi har tagit emot er anmälan",
        "FO-nummer",
        "2 juli 2026 12:05",
    ),
    "en": (
        "Your registration has been received",
        "we have received your registration",
        "Business ID",
        "July 2, 2026, 12:05",
    ),
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_r12_receipt_is_written_in_finnish_swedish_and_english(language: str) -> None:
    """R12: Kela serves in Finnish and Swedish (English welcome): the receipt exists in each."""
    subject_phrase, body_phrase, business_id_label, submitted = EXPECTED[language]
    mail = render("registration_received", receipt(), language=language)

    assert mail.language == language
    assert mail.subject == f"{subject_phrase} – Esimerkki Terveys Oy"
    for body in (mail.text, mail.html):
        assert body_phrase in body
        assert "Esimerkki Terveys Oy" in body
        assert business_id_label in body
        assert "2077474-0" in body
        assert str(REGISTRATION_ID) in body
        assert submitted in body
        assert "Maija Meikäläinen" in body
    assert f'<html lang="{language}">' in mail.html


@pytest.mark.parametrize(
    ("language", "submitted"),
    [("fi", "1. tammikuuta 2027 0.30"), ("sv", "1 januari 2027 00:30"), ("en", "January 1, 2027")],
)
def test_submitted_time_is_on_helsinki_time_across_the_date_line(
    language: str, submitted: str
) -> None:
    mail = render("registration_received", receipt(submitted_at=NEW_YEAR), language=language)
    assert submitted in mail.text


@pytest.mark.parametrize("language", ["de", "se", "", None])
def test_unknown_or_missing_language_falls_back_to_finnish(language: str | None) -> None:
    mail = render("registration_received", receipt(), language=language)
    finnish = render("registration_received", receipt(), language="fi")
    assert mail == finnish
    assert mail.language == "fi"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_declared_language_has_its_three_files(name: str) -> None:
    spec = TEMPLATES[name]
    assert "fi" in spec.languages, "Finnish is the fallback, so every mail needs it"
    for language in spec.languages:
        for suffix in ("subject.txt", "txt", "html"):
            assert (TEMPLATE_DIR / name / f"{language}.{suffix}").is_file()


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_use_only_variables_their_context_declares(name: str) -> None:
    spec = TEMPLATES[name]
    env = environment()
    declared = set(spec.context.model_fields) | {"language"}
    assert env.loader is not None
    for language in spec.languages:
        for suffix in ("subject.txt", "txt", "html"):
            source = env.loader.get_source(env, f"{name}/{language}.{suffix}")[0]
            used = meta.find_undeclared_variables(env.parse(source))
            assert used <= declared, f"{name}/{language}.{suffix} uses {used - declared}"


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    template = environment().get_template("registration_received/fi.txt")
    variables = dict(receipt())
    del variables["business_id"]
    with pytest.raises(jinja2.UndefinedError, match="business_id"):
        template.render({**variables, "language": "fi"})


def test_html_is_escaped_and_text_is_not() -> None:
    mail = render(
        "registration_received",
        receipt(organisation_name='Terveys & Hoiva <b>"Oy"</b>'),
        language="sv",
    )
    assert "Terveys &amp; Hoiva &lt;b&gt;&#34;Oy&#34;&lt;/b&gt;" in mail.html
    assert 'Terveys & Hoiva <b>"Oy"</b>' in mail.text


def test_subject_stays_one_line_whatever_the_data() -> None:
    mail = render(
        "registration_received",
        receipt(organisation_name="Evil\r\nBcc: x@example.fi"),
        language="en",
    )
    assert "\n" not in mail.subject and "\r" not in mail.subject


def test_the_context_must_be_the_templates_own() -> None:
    class Other(ReceiptContext):
        pass

    assert render(REGISTRATION_RECEIVED.name, Other.model_validate(dict(receipt())), language="fi")
    with pytest.raises(TypeError):
        render("registration_received", object(), language="fi")  # type: ignore[arg-type]
    with pytest.raises(UnknownTemplate):
        render("no_such_mail", receipt(), language="fi")
