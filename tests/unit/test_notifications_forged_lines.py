"""#15.4: values from other services' events cannot forge lines of a plain-text mail.

CR/LF, the Unicode line separators and control characters in a one-line value (an
organisation's name, a contact's name, a place) stay inside that value's own line.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from services.notifications.adapters.rendering.contexts import NoticeContext, ReceiptContext
from services.notifications.adapters.rendering.lines import one_line
from services.notifications.adapters.rendering.render import render
from shared.contracts.common import PeriodRef

FORGED_NAME = "Paha Oy\r\nBcc: x@example.com\nY-tunnus: 0000000-0\u2028Palvelu: väärä"


def staff_copy(**overrides: object) -> ReceiptContext:
    values: dict[str, object] = {
        "contact_name": "",
        "organisation_name": FORGED_NAME,
        "business_id": "2077474-0",
        "registration_id": uuid.uuid4(),
        "service": "prescription",
        "period": PeriodRef(year=2027, number=1),
        "planned_production_start": date(2027, 4, 15),
        "submitted_at": datetime(2026, 7, 2, 9, 5, tzinfo=UTC),
        "staff_copy": True,
    }
    values.update(overrides)
    return ReceiptContext.model_validate(values)


def lines_starting(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_staff_copy_shows_a_forged_line_inside_the_organisation_line(language: str) -> None:
    mail = render("registration_staff_copy", staff_copy(), language=language)

    assert lines_starting(mail.text, "Bcc:") == []
    assert lines_starting(mail.text, "Palvelu: väärä") == []
    [organisation] = [line for line in mail.text.splitlines() if "Paha Oy" in line]
    assert "Bcc: x@example.com" in organisation
    assert "Y-tunnus: 0000000-0" in organisation
    business_id = {"fi": "Y-tunnus:", "sv": "FO-nummer:", "en": "Business ID:"}[language]
    assert lines_starting(mail.text, business_id) == [f"{business_id} 2077474-0"]
    assert "\u2028" not in mail.text and "\r" not in mail.text


def test_a_greeting_and_notice_values_cannot_break_lines_either() -> None:
    mail = render(
        "notice_to_kela",
        NoticeContext(
            contact_name="Maija\nY-tunnus: 1111111-1",
            notice_id=uuid.uuid4(),
            kind="connection_point_change",
            business_id="2077474-0",
            organisation_name="Hyvä Oy",
            details={"connection_point": "LP 2\r\nTiedot: väärennetty", "vendor": "A\x00B\x1bC"},
        ),
        language="fi",
    )

    assert lines_starting(mail.text, "Y-tunnus:") == ["Y-tunnus: 2077474-0"]
    assert lines_starting(mail.text, "Tiedot: väärennetty") == []
    assert "\x00" not in mail.text and "\x1b" not in mail.text


def test_one_line_keeps_text_and_replaces_breaks_and_controls() -> None:
    assert one_line("Esimerkki Terveys Oy") == "Esimerkki Terveys Oy"
    assert one_line("a\r\nb\n\nc\u2029d\x85e\tf") == "a b c d e f"
    assert one_line("a\x00b\x7fc\u202ed") == "a\ufffdb\ufffdc\ufffdd"
    assert one_line(3) == 3
