"""Mail templates render in every language they declare, strictly and escaped."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, get_args

import jinja2
import pytest
from jinja2 import meta
from pydantic import BaseModel

from services.notifications.adapters.rendering.contexts import (
    Change,
    DecisionContext,
    DeploymentTestContext,
    NoticeContext,
    PeriodDates,
    ReceiptContext,
    SessionContext,
)
from services.notifications.adapters.rendering.registry import REGISTRATION_RECEIVED, TEMPLATES
from services.notifications.adapters.rendering.render import (
    TEMPLATE_DIR,
    UnknownTemplate,
    environment,
    render,
)
from services.notifications.adapters.rendering.wording import (
    CONNECTION_POINT_CHANGES,
    NOTICE_DETAIL_LABELS,
    NOTICE_KIND_LABELS,
)
from shared.catalogue import load_catalogue
from shared.contracts.common import PeriodRef
from shared.contracts.extension import NoticeKind
from shared.contracts.registration import RegistrationWarning
from shared.contracts.scheduling import LocalizedText, SessionInfo

REGISTRATION_ID = uuid.UUID("6a1f0c5e-2b7d-4c3e-9f1a-0d2e3c4b5a69")

# 09:05 UTC on 2 July is 12:05 in Helsinki (summer time, UTC+3).
SUMMER = datetime(2026, 7, 2, 9, 5, tzinfo=UTC)
# 22:30 UTC on 31 December is already 00:30 on 1 January in Helsinki (UTC+2).
NEW_YEAR = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
PERIOD = PeriodRef(year=2027, number=1)


def service_label(code: str, language: str) -> str:
    """The catalogue's name of a service, as the mails show it."""
    return load_catalogue().label(code, language)


def receipt(**overrides: object) -> ReceiptContext:
    values: dict[str, object] = {
        "contact_name": "Maija Meikäläinen",
        "organisation_name": "Esimerkki Terveys Oy",
        "business_id": "2077474-0",
        "registration_id": REGISTRATION_ID,
        "service": "patient_data_repository",
        "period": PERIOD,
        "planned_production_start": date(2027, 4, 15),
        "submitted_at": SUMMER,
    }
    values.update(overrides)
    return ReceiptContext.model_validate(values)


def session(**overrides: object) -> SessionInfo:
    values: dict[str, object] = {
        "session_id": uuid.uuid4(),
        "uid": "session-1@kanta.example",
        "sequence": 2,
        "period_id": uuid.uuid4(),
        "period": PERIOD,
        "kind": "training",
        "title": LocalizedText(fi="Toimintamallikoulutus", sv="Utbildning i arbetssätt"),
        # 07:00 UTC on 2 March is 09:00 in Helsinki (winter time).
        "starts_at": datetime(2027, 3, 2, 7, 0, tzinfo=UTC),
        "ends_at": datetime(2027, 3, 2, 9, 30, tzinfo=UTC),
        "online_url": "https://meet.kanta.example/t1",
        "place": "Kela, Helsinki",
        "language": "fi",
        "capacity": 30,
    }
    values.update(overrides)
    return SessionInfo.model_validate(values)


def decision(**overrides: object) -> DecisionContext:
    values: dict[str, object] = {
        **{k: v for k, v in dict(receipt()).items() if k in DecisionContext.model_fields},
        "period_dates": PeriodDates(starts_on=date(2027, 1, 15), ends_on=date(2027, 5, 31)),
        "note": "Täydentäkää järjestelmätiedot.",
        "from_period": PeriodRef(year=2026, number=3),
        "sessions": [session()],
    }
    values.update(overrides)
    return DecisionContext.model_validate(values)


def session_context(**overrides: object) -> SessionContext:
    values: dict[str, object] = {
        "contact_name": "Maija Meikäläinen",
        "session": session(),
        "position": 3,
        "note": "Kouluttaja sairastui.",
        "changes": [
            Change(
                field="starts_at",
                old=datetime(2027, 3, 1, 7, 0, tzinfo=UTC),
                new=datetime(2027, 3, 2, 7, 0, tzinfo=UTC),
            ),
            Change(field="place", old=None, new="Kela, Helsinki"),
        ],
        "feed_url": "https://kanta.example/feeds/abc.ics",
    }
    values.update(overrides)
    return SessionContext.model_validate(values)


NOTICE_ID = uuid.UUID("0b5e7f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b")


def notice(**overrides: object) -> NoticeContext:
    values: dict[str, object] = {
        "contact_name": "",
        "notice_id": NOTICE_ID,
        "kind": "connection_point_change",
        "business_id": "2077474-0",
        "organisation_name": "Esimerkki Terveys Oy",
        "details": {
            "change": "new_connection_point",
            "connection_point": "Liityntäpiste 2",
            "effective_on": "2027-03-01",
        },
        "effective_on": date(2027, 3, 1),
    }
    values.update(overrides)
    return NoticeContext.model_validate(values)


def deployment_test(**overrides: object) -> DeploymentTestContext:
    values: dict[str, object] = {
        "contact_name": "Maija Meikäläinen",
        "organisation_name": "Esimerkki Terveys Oy",
        "business_id": "2077474-0",
        "registration_id": REGISTRATION_ID,
        "service": "prescription",
        "tested_on": date(2027, 3, 10),
        "report_due_on": date(2027, 3, 12),
    }
    values.update(overrides)
    return DeploymentTestContext.model_validate(values)


def context_for(name: str) -> BaseModel:
    kind = TEMPLATES[name].context
    if kind is NoticeContext:
        return notice()
    if kind is DeploymentTestContext:
        return deployment_test()
    if kind is ReceiptContext:
        return receipt(staff_copy=name == "registration_staff_copy")
    if kind is DecisionContext:
        return decision()
    return session_context()


# The subject of every mail in each language: proof it was written in that language.
SUBJECTS = {
    "registration_received": ("vastaanotettu", "tagits emot", "has been received"),
    "registration_staff_copy": ("Uusi ilmoittautuminen", "Ny anmälan", "New registration"),
    "registration_accepted": ("on hyväksytty", "har godkänts", "has been accepted"),
    "registration_rejected": ("ei hyväksytty", "inte godkänts", "was not accepted"),
    "registration_returned": ("täydennettäväksi", "för komplettering", "returned for changes"),
    "registration_moved": ("siirrettiin", "har flyttats", "was moved"),
    "registration_withdrawn": ("on peruttu", "har återkallats", "has been withdrawn"),
    "enrolment_confirmed": ("Kutsu", "Inbjudan", "Invitation"),
    "enrolment_waitlisted": ("Varasijalla", "Reservplats", "Waiting list"),
    "enrolment_promoted": ("Paikka vapautui", "En plats blev ledig", "A place is yours"),
    "enrolment_cancelled": ("Osallistumisenne on peruttu", "avbokats", "has been cancelled"),
    "session_rescheduled": ("Muutos", "Ändring", "Changed"),
    "session_cancelled": ("Peruttu", "Inställt", "Cancelled"),
    "session_reminder": ("Muistutus", "Påminnelse", "Reminder"),
    "notice_to_kela": (
        "Käytön laajennuksen ilmoitus",
        "utvidgning av användningen",
        "Extension-of-use notice",
    ),
    "deployment_test_succeeded": (
        "Käyttöönottokoe onnistui",
        "Ibruktagningsprovet lyckades",
        "Deployment test succeeded",
    ),
    "deployment_test_report_reminder": ("raportti puuttuu", "saknas", "report missing"),
    "deployment_test_report_overdue": ("raportti myöhässä", "är försenad", "report overdue"),
}


def test_every_template_has_its_subjects_listed() -> None:
    assert set(SUBJECTS) == set(TEMPLATES)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_strictly_in_each_language(name: str, language: str) -> None:
    """R12: every mail exists in Finnish, Swedish and English, with no variable missing."""
    mail = render(name, context_for(name), language=language)

    assert mail.language == language
    assert SUBJECTS[name][("fi", "sv", "en").index(language)] in mail.subject
    assert f'<html lang="{language}">' in mail.html
    assert "\n\n\n" not in mail.text
    for other in {"fi", "sv", "en"} - {language}:
        phrase = SUBJECTS[name][("fi", "sv", "en").index(other)]
        assert phrase not in mail.subject, f"{other} phrase in the {language} subject"


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
    subject_phrase, body_phrase, business_id_label, submitted = EXPECTED[language]
    mail = render("registration_received", receipt(), language=language)

    assert mail.subject == f"{subject_phrase} – Esimerkki Terveys Oy"
    for body in (mail.text, mail.html):
        assert body_phrase in body
        assert "Esimerkki Terveys Oy" in body
        assert business_id_label in body
        assert "2077474-0" in body
        assert str(REGISTRATION_ID) in body
        assert submitted in body
        assert "Maija Meikäläinen" in body
        assert service_label("patient_data_repository", language) in body
        assert "1/2027" in body


OPTIONAL = {
    "fi": "Ilmoittautuminen ei ollut pakollinen",
    "sv": "Anmälan var inte obligatorisk",
    "en": "Registration was not required",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_r5_an_optional_registration_is_told_it_was_not_required(language: str) -> None:
    required = render("registration_received", receipt(), language=language)
    optional = render(
        "registration_received", receipt(registration_required=False), language=language
    )
    assert OPTIONAL[language] not in required.text
    assert OPTIONAL[language] in optional.text and OPTIONAL[language] in optional.html


# R6's warning as each language says it (#14.6: from its code, never the English message).
LEAD_TIME = {
    "fi": "sertifioidulla järjestelmällä varatkaa noin 3–6 kuukautta",
    "sv": "med ett certifierat system reservera cirka 3–6 månader",
    "en": "with a certified system allow about 3–6 months",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_r6_warnings_are_listed_in_the_receipt_in_its_language(language: str) -> None:
    """Behaviour changed by #14.6: the warning is rendered from its code, not its message."""
    warning = RegistrationWarning(
        code="short_lead_time", message="Planned start is under 3 months away."
    )
    mail = render("registration_received", receipt(warnings=[warning]), language=language)
    heading = {"fi": "Huomioitavaa:", "sv": "Observera:", "en": "Please note:"}[language]
    assert heading in mail.text
    assert LEAD_TIME[language] in mail.text and LEAD_TIME[language] in mail.html
    assert "15. huhtikuuta 2027" in mail.text if language == "fi" else True
    for body in (mail.text, mail.html):
        assert "Planned start is under 3 months away." not in body
        assert "short_lead_time" not in body


def test_the_staff_copy_says_it_is_one_and_greets_no_one() -> None:
    mail = render(
        "registration_staff_copy", receipt(contact_name="", staff_copy=True), language="fi"
    )
    assert mail.subject == "Uusi ilmoittautuminen – Esimerkki Terveys Oy"
    assert mail.text.startswith("Hei,\n")
    assert "Kopio henkilökunnalle" in mail.text


def test_decisions_carry_the_note_the_period_and_its_sessions() -> None:
    rejected = render("registration_rejected", decision(note="Väärä palvelu."), language="fi")
    # #14.6: staff's words as written, marked as theirs (was "Perustelu: Väärä palvelu.").
    assert "Perustelu (Kelan käsittelijän kirjoittama):\n> Väärä palvelu." in rejected.text
    returned = render("registration_returned", decision(note="Lisää yhteyshenkilö."), language="sv")
    assert (
        "Det här behöver ändras (skrivet av FPA:s handläggare):\n> Lisää yhteyshenkilö."
        in returned.text
    )
    moved = render("registration_moved", decision(), language="en")
    assert "from deployment period 3/2026 to deployment period 1/2027" in moved.text
    accepted = render("registration_accepted", decision(), language="fi")
    assert "15. tammikuuta 2027 – 31. toukokuuta 2027" in accepted.text
    assert "Toimintamallikoulutus" in accepted.text
    assert "2. maaliskuuta 2027 9.00–11.30 (Suomen aikaa)" in accepted.text
    assert "Kela, Helsinki" in accepted.text
    without = render("registration_accepted", decision(sessions=[]), language="en")
    assert "will be announced later" in without.text


def test_a_session_title_falls_back_to_finnish_when_missing_in_english() -> None:
    mail = render("enrolment_confirmed", session_context(), language="en")
    assert "Toimintamallikoulutus" in mail.subject
    swedish = render("enrolment_confirmed", session_context(), language="sv")
    assert "Utbildning i arbetssätt" in swedish.subject


def test_a_reschedule_says_what_changed_old_to_new_on_helsinki_time() -> None:
    mail = render("session_rescheduled", session_context(), language="fi")
    assert "- Alkaa: 1. maaliskuuta 2027 9.00 → 2. maaliskuuta 2027 9.00" in mail.text
    assert "- Paikka: (ei mitään) → Kela, Helsinki" in mail.text
    odd = session_context(changes=[Change(field="capacity", old=30, new=20)])
    assert "- capacity: 30 → 20" in render("session_rescheduled", odd, language="en").text


def test_the_waiting_list_notice_gives_the_position() -> None:
    mail = render("enrolment_waitlisted", session_context(position=4), language="sv")
    assert "reservplats 4" in mail.text
    unknown = render("enrolment_waitlisted", session_context(position=None), language="sv")
    assert "reservlistan" in unknown.text


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


def test_service_labels_cover_every_language_and_unknown_codes_show_as_is() -> None:
    for service in load_catalogue().services:
        labels = {language: service.label(language) for language in ("fi", "sv", "en")}
        assert all(labels.values()), service.code
        assert labels["sv"] != labels["fi"], f"{service.code} has no Swedish name"
    assert service_label("prescription", "sv") == "Recept"
    assert service_label("a_new_service", "fi") == "a_new_service"
    swedish = render("registration_received", receipt(service="prescription"), language="sv")
    assert "Recept" in swedish.text and "Recept" in swedish.html


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_declared_language_has_its_three_files(name: str) -> None:
    spec = TEMPLATES[name]
    assert "fi" in spec.languages, "Finnish is the fallback, so every mail needs it"
    for language in spec.languages:
        for suffix in ("subject.txt", "txt", "html"):
            assert (TEMPLATE_DIR / spec.files / f"{language}.{suffix}").is_file()


def _sources(name: str, language: str) -> list[str]:
    """A template's files and every part they include or extend, as Jinja sources."""
    env = environment()
    assert env.loader is not None
    pending = [f"{TEMPLATES[name].files}/{language}.{s}" for s in ("subject.txt", "txt", "html")]
    seen: dict[str, str] = {}
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen[path] = env.loader.get_source(env, path)[0]
        pending += [p for p in meta.find_referenced_templates(env.parse(seen[path])) if p]
    return list(seen.values())


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_use_only_variables_their_context_declares(name: str) -> None:
    spec = TEMPLATES[name]
    env = environment()
    # `session` is also the loop variable of the list that includes `_session` per session.
    # `today` and `contact_address` are given to every mail by `render` (#14.6).
    declared = set(spec.context.model_fields) | {"language", "session", "today", "contact_address"}
    for language in spec.languages:
        for source in _sources(name, language):
            used: set[str] = meta.find_undeclared_variables(env.parse(source))
            assert used <= declared, f"{name}/{language} uses {used - declared}"


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    template = environment().get_template("registration_received/fi.txt")
    variables: dict[str, Any] = dict(receipt())
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
    hostile = session_context(session=session(place="<script>x</script>"))
    assert "<script>" not in render("enrolment_confirmed", hostile, language="fi").html


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
    with pytest.raises(TypeError):
        render("enrolment_confirmed", receipt(), language="fi")
    with pytest.raises(UnknownTemplate):
        render("no_such_mail", receipt(), language="fi")


# --- Extension of use (R9, R10) -------------------------------------------------------------

# The report deadline (12 March 2027) and the test day (10 March 2027) in each language.
DEADLINE = {"fi": "12. maaliskuuta 2027", "sv": "12 mars 2027", "en": "March 12, 2027"}
TEST_DAY = {"fi": "10. maaliskuuta 2027", "sv": "10 mars 2027", "en": "March 10, 2027"}
WITHIN_TWO_DAYS = {"fi": "kahden päivän kuluessa", "sv": "inom två dagar", "en": "within two days"}
TOMORROW = {"fi": "huomenna", "sv": "i morgon", "en": "tomorrow"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_r10_a_successful_test_asks_for_the_report_within_two_days(language: str) -> None:
    mail = render("deployment_test_succeeded", deployment_test(), language=language)

    assert DEADLINE[language] in mail.subject
    for body in (mail.text, mail.html):
        assert WITHIN_TWO_DAYS[language] in body
        assert DEADLINE[language] in body
        assert TEST_DAY[language] in body
        assert service_label("prescription", language) in body
        assert str(REGISTRATION_ID) in body
        assert "2077474-0" in body
        assert "Maija Meikäläinen" in body


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_r10_the_reminder_says_the_deadline_is_tomorrow(language: str) -> None:
    # #14.6: "tomorrow" comes from the clock: the reminder is rendered the day before.
    mail = render(
        "deployment_test_report_reminder",
        deployment_test(),
        language=language,
        today=date(2027, 3, 11),
    )

    assert DEADLINE[language] in mail.subject
    for body in (mail.text, mail.html):
        assert TOMORROW[language] in body
        assert DEADLINE[language] in body


def test_r10_the_overdue_flag_names_the_organisation_test_and_deadline() -> None:
    mail = render("deployment_test_report_overdue", deployment_test(contact_name=""), language="fi")
    assert mail.subject == "Käyttöönottokokeen raportti myöhässä – Esimerkki Terveys Oy"
    assert mail.text.startswith("Hei,\n")
    for phrase in ("määräaikaan 12. maaliskuuta 2027", "10. maaliskuuta 2027", "2077474-0"):
        assert phrase in mail.text
    assert str(REGISTRATION_ID) in mail.text


@pytest.mark.parametrize(
    "name",
    [
        "deployment_test_succeeded",
        "deployment_test_report_reminder",
        "deployment_test_report_overdue",
    ],
)
def test_deployment_test_mails_do_without_the_dates(name: str) -> None:
    undated = deployment_test(tested_on=None, report_due_on=None)
    for language in ("fi", "sv", "en"):
        mail = render(name, undated, language=language)
        assert "2027" not in mail.subject + mail.text + mail.html


def test_r9_the_notice_to_kela_names_the_kind_details_and_effective_date() -> None:
    mail = render("notice_to_kela", notice(), language="fi")

    assert mail.subject == (
        "Käytön laajennuksen ilmoitus: Liityntäpisteen muutos – Esimerkki Terveys Oy"
    )
    for body in (mail.text, mail.html):
        assert "Esimerkki Terveys Oy" in body
        assert "2077474-0" in body
        assert "Liityntäpisteen muutos" in body
        assert "Voimaantulopäivä: " in body or "Voimaantulopäivä</th>" in body
        assert "1. maaliskuuta 2027" in body
        assert str(NOTICE_ID) in body
    assert "- Muutos: uusi liityntäpiste" in mail.text
    assert "- Liityntäpiste: Liityntäpiste 2" in mail.text
    assert mail.text.count("1. maaliskuuta 2027") == 1, "the effective date is shown once"


def test_notice_details_read_as_a_person_reads_them_in_each_language() -> None:
    details = {
        "document_groups": ["sw_old_documents", "sw_phase_1_documents"],
        "document_increase": 650000,
        "in_use_from": "2027-02-01",
        "service_tasks": ["kotihoito", "vammaispalvelut"],
        "something_new": None,
    }
    context = notice(kind="document_group_change", details=details, effective_on=None)
    fi = render("notice_to_kela", context, language="fi").text
    assert "Asiakirjaryhmien muutos" in fi
    groups = {
        language: ", ".join(
            service_label(code, language) for code in ("sw_old_documents", "sw_phase_1_documents")
        )
        for language in ("fi", "en")
    }
    assert "(asiakirjaryhmä), I-vaiheen asiakirjat" in groups["fi"]
    assert f"- Asiakirjaryhmät: {groups['fi']}" in fi
    assert "- Asiakirjamäärän kasvu: 650\xa0000" in fi
    assert "- Käytössä alkaen: 1. helmikuuta 2027" in fi
    assert "- Palvelutehtävät: kotihoito, vammaispalvelut" in fi
    assert "- something_new: (ei mitään)" in fi
    assert "Voimaantulopäivä" not in fi
    en = render("notice_to_kela", context, language="en").text
    assert "- Increase in documents: 650,000" in en
    assert "(document group), Phase I documents" in groups["en"]
    assert f"- Document groups: {groups['en']}" in en
    sv = render("notice_to_kela", context, language="sv").text
    assert "- In bruk från" not in sv and "- I bruk från: 1 februari 2027" in sv


def test_notice_labels_cover_every_kind_and_language() -> None:
    assert set(NOTICE_KIND_LABELS) == set(get_args(NoticeKind))
    for table in (NOTICE_KIND_LABELS, NOTICE_DETAIL_LABELS, CONNECTION_POINT_CHANGES):
        for labels in table.values():
            assert set(labels) == {"fi", "sv", "en"}
    odd = render("notice_to_kela", notice(kind="a_new_kind"), language="sv")
    assert "a_new_kind" in odd.subject


def test_notice_details_are_escaped_in_html() -> None:
    hostile = notice(details={"connection_point": "<script>x</script>"})
    mail = render("notice_to_kela", hostile, language="fi")
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html


def test_a_title_change_is_named_and_shown_in_the_mails_language() -> None:
    """#14.2: a title change is an update the calendar shows; the mail names it, no code."""
    changed = session_context(
        changes=[
            Change(
                field="title",
                old={"fi": "Vanha", "sv": "Gammal", "en": None},
                new={"fi": "Uusi", "sv": "Ny", "en": None},
            )
        ]
    )
    swedish = render("session_rescheduled", changed, language="sv")
    assert "- Namn: Gammal → Ny" in swedish.text
    english = render("session_rescheduled", changed, language="en")
    assert "- Title: Vanha → Uusi" in english.text
