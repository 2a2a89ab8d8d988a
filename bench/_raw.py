"""What the raw ceilings share: forms, receipts as MIME, CPU from /proc, the results file.

Nothing here imports the services: the raw benchmarks (`raw_e2e`, `raw_fanout`, `_wrk`) are
the least work any implementation has to do, with no framework in the hot path.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bench._common import record
from bench._cpu import CpuMeter

Y_TUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
MAIL_FROM = "Kanta-käyttöönotot <kayttoonotot@kanta.example>"
MAIL_FROM_ADDRESS = "kayttoonotot@kanta.example"
_HZ = os.sysconf("SC_CLK_TCK")


def business_ids(start: int = 1_000_000) -> Iterator[str]:
    """Valid Y-tunnus in order from `start`: weights 7,9,10,5,8,4,2; r = 1 is never issued."""
    for number in range(start, 10_000_000):
        digits = f"{number:07d}"
        r = sum(int(d) * w for d, w in zip(digits, Y_TUNNUS_WEIGHTS, strict=True)) % 11
        if r != 1:
            yield f"{digits}-{0 if r == 0 else 11 - r}"


def registration_body(
    business_id: str, *, email: str, year: int = 2027, planned: str = "2027-04-15"
) -> dict[str, Any]:
    """The form `bench/intake.py` posts: a health care organisation, one technical contact."""
    return {
        "organisation": {
            "name": f"Organisaatio {business_id}",
            "business_id": business_id,
            "oid": f"1.2.246.10.{business_id.replace('-', '').lstrip('0')}.10.0",
            "sector": "private",
            "domain": "health_care",
        },
        "service": "patient_data_repository",
        "reason": "first_deployment",
        "system": {
            "product": "Potilas Pro",
            "vendor": "Toimittaja Oy",
            "version": "5.2",
            "certified": True,
            "profile": None,
        },
        "vendor_handles_support": False,
        "period": {"year": year, "number": 1},
        "planned_production_start": planned,
        "customership": {
            "existing_customer": False,
            "commitment_signed_on": None,
            "service_application_on": None,
            "service_description_accepted_on": None,
            "details_submitted_on": None,
        },
        "contacts": [
            {
                "name": "Tekninen Yhteyshenkilö",
                "email": email,
                "role": "technical",
                "language": "fi",
                "participates": True,
            }
        ],
    }


_TEXT = """Hei {contact},

{opening}

Organisaatio: {organisation}
Y-tunnus: {business_id}
Ilmoittautumisen tunnus: {registration_id}
Palvelu: Potilastiedon arkisto
Käyttöönottojakso: {period}

Vastaanotettu: {submitted_at} (Suomen aikaa)

Suunniteltu tuotantokäytön aloitus: {planned}

Käsittelemme ilmoittautumisen ja lähetämme teille vahvistuksen, kun se on hyväksytty. \
Mainitkaa ilmoittautumisen tunnus, jos otatte meihin yhteyttä asiaan liittyen.

Ystävällisin terveisin
Kanta-palvelujen käyttöönottotiimi
Kela

Tämä on automaattinen viesti, eikä siihen voi vastata. Yhteystiedot: \
https://www.kanta.fi/kayttoonotot
"""

_HTML = """<!DOCTYPE html>
<html lang="fi"><head><meta charset="utf-8"><title>{subject}</title></head>
<body style="font-family: Arial, sans-serif; color: #222; line-height: 1.5;">
<p>Hei {contact},</p>
<p>{opening}</p>
<table style="border-collapse: collapse;">
<tr><th style="text-align: left; padding-right: 1em;">Organisaatio</th><td>{organisation}</td></tr>
<tr><th style="text-align: left; padding-right: 1em;">Y-tunnus</th><td>{business_id}</td></tr>
<tr><th style="text-align: left; padding-right: 1em;">Ilmoittautumisen tunnus</th>\
<td>{registration_id}</td></tr>
<tr><th style="text-align: left; padding-right: 1em;">Palvelu</th>\
<td>Potilastiedon arkisto</td></tr>
<tr><th style="text-align: left; padding-right: 1em;">Käyttöönottojakso</th>\
<td>{period}</td></tr>
</table>
<p>Vastaanotettu: {submitted_at} (Suomen aikaa)</p>
<p>Suunniteltu tuotantokäytön aloitus: {planned}</p>
<p>Käsittelemme ilmoittautumisen ja lähetämme teille vahvistuksen, kun se on hyväksytty. \
Mainitkaa ilmoittautumisen tunnus, jos otatte meihin yhteyttä asiaan liittyen.</p>
<p>Ystävällisin terveisin<br>Kanta-palvelujen käyttöönottotiimi<br>Kela</p>
<p style="color: #666; font-size: small;">Tämä on automaattinen viesti, eikä siihen voi \
vastata. Yhteystiedot: <a href="https://www.kanta.fi/kayttoonotot">kanta.fi/kayttoonotot</a></p>
</body></html>
"""


def render_receipt(
    payload: dict[str, Any], *, contact: str, staff_copy: bool
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the Finnish receipt (or its staff copy), by format()."""
    organisation = payload["organisation"]
    opening = (
        "Kopio henkilökunnalle: uusi ilmoittautuminen Kanta-palvelujen käyttöönottojaksolle on "
        "vastaanotettu."
        if staff_copy
        else "olemme vastaanottaneet ilmoittautumisenne Kanta-palvelujen käyttöönottojaksolle."
    )
    subject = (
        f"{'Uusi ilmoittautuminen' if staff_copy else 'Ilmoittautumisenne on vastaanotettu'} – "
        f"{organisation['name']}"
    )
    values = {
        "contact": contact,
        "opening": opening,
        "organisation": organisation["name"],
        "business_id": organisation["business_id"],
        "registration_id": payload["registration_id"],
        "period": f"{payload['period']['number']}/{payload['period']['year']}",
        "submitted_at": payload["submitted_at"][:16].replace("T", " klo "),
        "planned": payload["planned_production_start"],
        "subject": subject,
    }
    escaped = {k: html.escape(str(v)) for k, v in values.items()}
    return subject, _TEXT.format(**values), _HTML.format(**escaped)


def build_message(
    *,
    message_id: str,
    created_at: datetime,
    recipient: str,
    subject: str,
    text: str,
    html_body: str,
    correlation_id: str,
) -> EmailMessage:
    """The MIME form the notifications service sends: multipart/alternative, plain then HTML."""
    message = EmailMessage()
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(created_at)
    message["From"] = MAIL_FROM
    message["To"] = recipient
    message["Subject"] = subject
    message["X-Correlation-ID"] = correlation_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html_body, subtype="html")
    message["Content-Language"] = "fi"
    return message


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _HZ


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has been busy (not idle or waiting), /proc/stat."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / _HZ


class RawMeter(CpuMeter):
    """`CpuMeter` that tells our PostgreSQL backends (by database) from other clients'.

    PostgreSQL backends show their database in the process title; those of other databases
    (other work on a shared machine) become "other: postgresql clients", the server's own
    processes (WAL writer, checkpointer…) "postgresql (server processes)". `split()` also
    answers "other: rest of the machine": busy CPU of the whole machine that no part named.
    """

    def __init__(self, services: Mapping[str, int], databases: Sequence[str]) -> None:
        super().__init__(services)
        self._databases = [f" {name} ".encode() for name in databases]
        self._busy = 0.0

    def start(self) -> None:
        super().start()
        self._busy = machine_busy_seconds()

    def _part(self, pid: int, comm: str) -> str | None:
        part = super()._part(pid, comm)
        if part != "postgresql":
            return part
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return part
        if any(name in title for name in self._databases):
            return "postgresql (our backends)"
        if b" main: " in title and b"(" in title:  # a client backend: "… main: user db host(port)"
            return "other: postgresql clients"
        return "postgresql (server processes)"

    def split(self) -> dict[str, float]:
        parts = super().split()
        parts["orchestrator"] = parts.pop("benchmark (SMTP server)", 0.0)
        parts.pop("load generator", None)
        named = sum(parts.values())
        parts["other: rest of the machine"] = max(0.0, machine_busy_seconds() - self._busy - named)
        return parts


def save(bench: str, figures: dict[str, Any]) -> None:
    """Merge the figures into bench/results.json under `benches.<bench>`; no summary keys."""
    record(bench, figures, {})
