"""Invariants of the three services, searched by a stateful property test (R2, R7, R12).

Hypothesis drives random sequences of real API calls through the running services (submit,
edit contacts or period, accept, reject, return, move, withdraw, deploy; reschedule, cancel,
add a language version, change capacity; a participant cancels), injects the faults that break
ordering (an older snapshot arriving after a newer one, duplicate deliveries, two concurrent
moves of one enrolment, accept against withdraw), and after the system settles checks:

- every live seat belongs to a participating contact of a registration currently accepted or
  moved into that session's period, and every such contact holds exactly the seats the rules
  give (`services.scheduling.domain.enrolment.sessions_for` is the oracle);
- confirmed ≤ capacity, and nobody waits while a seat is free;
- for every person and calendar entry the last message matches the session's current time and
  the person's seat, SEQUENCE rises, and nobody without a seat holds a live entry;
- no mail twice, nothing dead-lettered, and every state change has its history entry.

`make test` runs a short search; `make test-model` a long one (MODEL_EXAMPLES, MODEL_STEPS).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import icalendar
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from services.registration.app.samples import business_ids, example_form
from services.scheduling.domain.enrolment import SessionChoice, sessions_for
from tests.dates import iso, next_year, period_of_year, session_day, working_day
from tests.model.system import Loop, System, system_on
from tests.support import bearer

pytestmark = pytest.mark.model

EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "30"))
STEPS = int(os.environ.get("MODEL_STEPS", "25"))
SERVICE = "patient_data_repository"
PEOPLE = [
    ("Aino Aalto", "aino@example.fi", "fi", "technical"),
    ("Bo Berg", "bo@example.fi", "sv", "administrative"),
    ("Cecilia Clark", "cecilia@example.fi", "en", "technical"),
    ("Daniel Dahl", "daniel@example.fi", "sv", "implementer"),
    ("Eeva Eskola", "eeva@example.fi", "fi", "technical"),
]
ORGS = business_ids(3, start=3_000_000)
LIVE_STATES = ("accepted", "moved")
# Rules pick among what the system holds by an index: the number of draws never depends on
# the system's state, so hypothesis can replay and shrink a failing sequence.
PICK = st.integers(min_value=0, max_value=10_000)
OPEN_STATES = ("submitted", "returned", "accepted", "moved")
LOOP: Loop | None = None
TOTALS = {"examples": 0, "steps": 0, "checks": 0, "stale replays": 0}


def loop() -> Loop:
    global LOOP
    if LOOP is None:
        LOOP = Loop()
    return LOOP


@dataclass
class Registration:
    """What the model knows of one registration: its owner and every change that succeeded."""

    id: str
    business_id: str
    revision: int = 1  # the highest revision an answer showed; the submission is 1


def _contact(index: int) -> dict[str, Any]:
    name, email, language, role = PEOPLE[index]
    return {
        "name": name,
        "email": email,
        "role": role,
        "language": language,
        "participates": True,
    }


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


class SystemModel(RuleBasedStateMachine):
    """One example: a fresh system, two published periods, and a random walk over the API."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="model-"))
        self._context = system_on(loop(), self.tmp)
        self.system: System = self._context.__enter__()
        self.registrations: dict[str, Registration] = {}
        # (email, session group) a person or staff cancelled: not seated again.
        self.opted_out: set[tuple[str, tuple[Any, ...]]] = set()
        # People whose enrolment staff moved: their seats follow staff, not the rules.
        self.moved_by_staff: set[tuple[str, str]] = set()
        self.periods: dict[int, dict[str, Any]] = {}
        self.year = next_year()
        TOTALS["examples"] += 1

    # --- plumbing ----------------------------------------------------------------------------

    def call(
        self, service: str, method: str, path: str, token: dict[str, str], body: Any = None
    ) -> httpx.Response:
        client = self.system.clients[service]
        return loop().run(client.request(method, path, json=body, headers=token))

    def staff(self, service: str) -> dict[str, str]:
        return bearer(self.system.settings[service], "staff", client_id="model-staff")

    def org(self, business_id: str) -> dict[str, str]:
        return bearer(self.system.settings["registration"], "organisation", business_id)

    def step(self) -> None:
        TOTALS["steps"] += 1

    def _session_body(self, kind: str, language: str, day: date, capacity: int) -> dict[str, Any]:
        audience: dict[str, Any] = {"services": None, "domains": None, "roles": None}
        if kind == "training":
            audience["services"] = [SERVICE]
        return {
            "kind": kind,
            "title": {"fi": f"{kind} {language}", "sv": f"{kind} {language} (sv)"},
            "starts_at": iso(day, "09:00"),
            "ends_at": iso(day, "12:00"),
            "online_url": "https://meet.example.fi/model",
            "place": None,
            "language": language,
            "capacity": capacity,
            "audience": audience,
            "confirm_holiday": False,
        }

    @initialize()
    def calendar(self) -> None:
        """Two published periods: the first with a preparation event and a training."""
        staff = self.staff("scheduling")
        for number, sessions in (
            (1, [("preparation", "fi", 8, 2), ("training", "fi", 22, 2)]),
            (2, [("preparation", "fi", 8, 2)]),
        ):
            body = period_of_year(self.year, number)
            created = self.call("scheduling", "POST", "/v1/periods", staff, body)
            assert created.status_code == 201, created.text
            period_id = created.json()["id"]
            for kind, language, offset, capacity in sessions:
                day = session_day(body, offset_days=offset)
                added = self.call(
                    "scheduling",
                    "POST",
                    f"/v1/periods/{period_id}/sessions",
                    staff,
                    self._session_body(kind, language, day, capacity),
                )
                assert added.status_code == 201, added.text
            published = self.call("scheduling", "POST", f"/v1/periods/{period_id}/publish", staff)
            assert published.status_code == 200, published.text
            self.periods[number] = {"id": period_id, **body}
        loop().run(self.system.settle())

    # --- registrations -----------------------------------------------------------------------

    def _form(self, business_id: str, people: list[int], number: int) -> dict[str, Any]:
        planned = date.fromisoformat(self.periods[1]["starts_on"]) + timedelta(days=30)
        return example_form(
            business_id,
            contacts=[_contact(i) for i in people],
            period={"year": self.year, "number": number},
            planned_production_start=planned.isoformat(),
        )

    @rule(
        org=st.sampled_from(ORGS),
        people=st.lists(st.integers(0, len(PEOPLE) - 1), min_size=1, max_size=3, unique=True),
        number=st.sampled_from([1, 2]),
    )
    def submit(self, org: str, people: list[int], number: int) -> None:
        self.step()
        response = self.call(
            "registration",
            "POST",
            "/v1/registrations",
            self.org(org),
            self._form(org, people, number),
        )
        assert response.status_code in (201, 409), response.text  # 409: one active per period
        if response.status_code == 201:
            rid = response.json()["id"]
            self.registrations[rid] = Registration(id=rid, business_id=org)

    def _pick(self, pick: int) -> Registration:
        return self.registrations[sorted(self.registrations)[pick % len(self.registrations)]]

    def _changed(self, registration: Registration, response: httpx.Response) -> None:
        assert response.status_code < 500, response.text
        if response.is_success:
            revision = response.json()["revision"]
            assert revision >= registration.revision, "an answer showed an older revision"
            registration.revision = revision

    @precondition(lambda self: self.registrations)
    @rule(
        pick=PICK,
        people=st.lists(st.integers(0, len(PEOPLE) - 1), min_size=1, max_size=3, unique=True),
    )
    def edit_contacts(self, pick: int, people: list[int]) -> None:
        self.step()
        registration = self._pick(pick)
        body = {"contacts": [_contact(i) for i in people]}
        response = self.call(
            "registration",
            "PATCH",
            f"/v1/registrations/{registration.id}",
            self.org(registration.business_id),
            body,
        )
        self._changed(registration, response)

    @precondition(lambda self: self.registrations)
    @rule(pick=PICK, number=st.sampled_from([1, 2]))
    def edit_period(self, pick: int, number: int) -> None:
        self.step()
        registration = self._pick(pick)
        response = self.call(
            "registration",
            "PATCH",
            f"/v1/registrations/{registration.id}",
            self.org(registration.business_id),
            {"period": {"year": self.year, "number": number}},
        )
        self._changed(registration, response)

    @precondition(lambda self: self.registrations)
    @rule(
        pick=PICK,
        action=st.sampled_from(["accept", "reject", "return", "withdraw", "deploy", "move"]),
    )
    def transition(self, pick: int, action: str) -> None:
        self.step()
        registration = self._pick(pick)
        response = self._transition(registration, action)
        self._changed(registration, response)

    def _transition(self, registration: Registration, action: str) -> httpx.Response:
        path = f"/v1/registrations/{registration.id}/{action}"
        staff = self.staff("registration")
        if action == "withdraw":
            return self.call("registration", "POST", path, self.org(registration.business_id))
        if action == "reject":
            return self.call("registration", "POST", path, staff, {"reason": "Not this time."})
        if action == "return":
            return self.call(
                "registration", "POST", path, staff, {"changes_requested": "Name a deputy."}
            )
        if action == "deploy":
            day = date.fromisoformat(self.periods[1]["starts_on"])
            return self.call("registration", "POST", path, staff, {"deployed_on": day.isoformat()})
        if action == "move":
            current = self.call(
                "registration", "GET", f"/v1/registrations/{registration.id}", staff
            ).json()
            other = 2 if current["period"]["number"] == 1 else 1
            body = {"period": {"year": self.year, "number": other}}
            return self.call("registration", "POST", path, staff, body)
        return self.call("registration", "POST", path, staff)

    @precondition(lambda self: self.registrations)
    @rule(pick=PICK)
    def accept_against_withdraw(self, pick: int) -> None:
        """Staff accept while the organisation withdraws, at the same moment."""
        self.step()
        registration = self._pick(pick)
        client = self.system.clients["registration"]
        base = f"/v1/registrations/{registration.id}"

        async def both() -> list[httpx.Response]:
            return list(
                await asyncio.gather(
                    client.post(f"{base}/accept", headers=self.staff("registration")),
                    client.post(f"{base}/withdraw", headers=self.org(registration.business_id)),
                )
            )

        for response in loop().run(both()):
            self._changed(registration, response)

    # --- the calendar ------------------------------------------------------------------------

    def _sessions(self) -> list[dict[str, Any]]:
        sessions: list[dict[str, Any]] = []
        for period in self.periods.values():
            found = self.call(
                "scheduling", "GET", f"/v1/periods/{period['id']}", self.staff("scheduling")
            )
            assert found.status_code == 200, found.text
            sessions += found.json()["sessions"]
        return sessions

    def _scheduled(self) -> list[dict[str, Any]]:
        return [s for s in self._sessions() if s["status"] == "scheduled"]

    @rule(pick=PICK, days=st.integers(1, 20))
    def reschedule(self, pick: int, days: int) -> None:
        self.step()
        sessions = self._scheduled()
        if not sessions:
            return
        session = sessions[pick % len(sessions)]
        day = working_day(_utc(session["starts_at"]).date() + timedelta(days=days))
        response = self.call(
            "scheduling",
            "PATCH",
            f"/v1/sessions/{session['id']}",
            self.staff("scheduling"),
            {"starts_at": iso(day, "09:00"), "ends_at": iso(day, "12:00")},
        )
        assert response.status_code < 500, response.text

    @rule(pick=PICK, capacity=st.integers(1, 3))
    def change_capacity(self, pick: int, capacity: int) -> None:
        self.step()
        sessions = self._scheduled()
        if not sessions:
            return
        session = sessions[pick % len(sessions)]
        response = self.call(
            "scheduling",
            "PATCH",
            f"/v1/sessions/{session['id']}",
            self.staff("scheduling"),
            {"capacity": capacity},
        )
        assert response.status_code < 500, response.text

    @rule(pick=PICK)
    def cancel_session(self, pick: int) -> None:
        self.step()
        sessions = self._scheduled()
        if len(sessions) <= 1:
            return
        session = sessions[pick % len(sessions)]
        response = self.call(
            "scheduling", "POST", f"/v1/sessions/{session['id']}/cancel", self.staff("scheduling")
        )
        assert response.status_code < 500, response.text

    @rule(language=st.sampled_from(["sv", "en"]), number=st.sampled_from([1, 2]))
    def add_language_version(self, language: str, number: int) -> None:
        """A preparation event of a published period in another language (R12)."""
        self.step()
        period = self.periods[number]
        present = {
            (s["kind"], s["language"]) for s in self._sessions() if s["period_id"] == period["id"]
        }
        if ("preparation", language) in present:
            return
        day = session_day(period, offset_days=12)
        response = self.call(
            "scheduling",
            "POST",
            f"/v1/periods/{period['id']}/sessions",
            self.staff("scheduling"),
            self._session_body("preparation", language, day, 2),
        )
        assert response.status_code == 201, response.text

    def _live_enrolments(self) -> list[dict[str, Any]]:
        live: list[dict[str, Any]] = []
        for session in self._sessions():
            found = self.call(
                "scheduling",
                "GET",
                f"/v1/sessions/{session['id']}/participants",
                self.staff("scheduling"),
            )
            assert found.status_code == 200, found.text
            live += [e for e in found.json() if e["status"] in ("confirmed", "waitlisted")]
        return live

    @rule(pick=PICK)
    def participant_cancels(self, pick: int) -> None:
        """The organisation cancels one of its participants' seats."""
        self.step()
        live = self._live_enrolments()
        if not live:
            return
        enrolment = live[pick % len(live)]
        response = self.call(
            "scheduling",
            "POST",
            f"/v1/enrolments/{enrolment['id']}/cancel",
            bearer(self.system.settings["scheduling"], "organisation", enrolment["business_id"]),
        )
        assert response.status_code < 500, response.text
        if response.is_success:
            group = self._group(enrolment["session_id"])
            self.opted_out.add((enrolment["email"], group))

    @rule(pick=PICK)
    def two_concurrent_moves(self, pick: int) -> None:
        """Staff move one enrolment to two sessions at the same moment: one move wins."""
        self.step()
        live = self._live_enrolments()
        sessions = self._scheduled()
        if not live:
            return
        enrolment = live[pick % len(live)]
        origin = next(s for s in sessions if s["id"] == enrolment["session_id"])
        # Two other dates (or language versions) of the same kind of session in its period.
        group = [
            s["id"]
            for s in sessions
            if (s["period_id"], s["kind"]) == (origin["period_id"], origin["kind"])
        ]
        targets = [g for g in group if g != origin["id"]][:2]
        if len(targets) < 2:
            return
        client = self.system.clients["scheduling"]
        path = f"/v1/enrolments/{enrolment['id']}/move"
        staff = self.staff("scheduling")

        async def both() -> list[httpx.Response]:
            return list(
                await asyncio.gather(
                    *(client.post(path, json={"session_id": t}, headers=staff) for t in targets)
                )
            )

        results = loop().run(both())
        assert all(r.status_code < 500 for r in results), [r.text for r in results]
        self.moved_by_staff.add((enrolment["registration_id"], enrolment["email"]))
        loop().run(self.system.settle())
        person = (enrolment["registration_id"], enrolment["email"])
        mine = [
            e
            for e in self._live_enrolments()
            if (e["registration_id"], e["email"]) == person and e["session_id"] in group
        ]
        assert len(mine) <= 1, f"one enrolment moved twice holds {len(mine)} seats: {mine}"

    # --- faults of the broker ----------------------------------------------------------------

    def _envelopes(self, registration_id: str) -> list[Any]:
        return [
            e for e in self.system.events if e.payload.get("registration_id") == registration_id
        ]

    @precondition(lambda self: self.registrations)
    @rule(pick=PICK)
    def older_snapshot_arrives_late(self, pick: int) -> None:
        """A retried event that lost its place: an older snapshot after the newer ones."""
        self.step()
        loop().run(self.system.settle())
        registration = self._pick(pick)
        envelopes = self._envelopes(registration.id)
        if len(envelopes) < 2:
            return
        # Prefer a snapshot whose state differs from the newest: that is the one that hurts.
        newest = envelopes[-1].payload["state"]
        older = [e for e in envelopes[:-1] if e.payload["state"] != newest] or envelopes[:-1]
        stale = older[pick % len(older)]
        TOTALS["stale replays"] += stale.payload["state"] != newest
        loop().run(self.system.publish(stale.model_copy(update={"event_id": uuid.uuid4()})))
        loop().run(self.system.settle())
        self.check_all()  # before a later event of the registration could hide the damage

    @precondition(lambda self: self.registrations)
    @rule(pick=PICK, then=st.sampled_from(["withdraw", "reject", "return"]))
    def accepted_retried_after_a_later_change(self, pick: int, then: str) -> None:
        """The reported path: `registration.accepted` fails once and comes back after the
        registration was withdrawn (or rejected, or returned)."""
        self.step()
        registration = self._pick(pick)
        self._changed(registration, self._transition(registration, "accept"))
        self._changed(registration, self._transition(registration, then))
        loop().run(self.system.settle())
        accepted = [
            e for e in self._envelopes(registration.id) if e.event_type == "registration.accepted"
        ]
        if not accepted:
            return
        TOTALS["stale replays"] += 1
        late = accepted[-1].model_copy(update={"event_id": uuid.uuid4()})
        loop().run(self.system.publish(late))
        loop().run(self.system.settle())
        self.check_all()

    @precondition(lambda self: self.registrations)
    @rule(pick=PICK)
    def duplicate_delivery(self, pick: int) -> None:
        self.step()
        registration = self._pick(pick)
        envelopes = self._envelopes(registration.id)
        if envelopes:
            loop().run(self.system.publish(envelopes[pick % len(envelopes)]))
            loop().run(self.system.settle())
            self.check_all()

    # --- the invariants ----------------------------------------------------------------------

    def _group(self, session_id: str) -> tuple[Any, ...]:
        session = next(s for s in self._sessions() if s["id"] == session_id)
        return self._choice(session).group

    @staticmethod
    def _choice(session: dict[str, Any]) -> SessionChoice:
        audience = session["audience"]

        def names(key: str) -> tuple[str, ...] | None:
            values = audience.get(key)
            return None if values is None else tuple(values)

        return SessionChoice(
            session_id=session["id"],
            kind=session["kind"],
            language=session["language"],
            services=names("services"),
            domains=names("domains"),
            roles=names("roles"),
        )

    @precondition(lambda self: self.registrations)
    @rule()
    def check(self) -> None:
        """Let the system settle, then check every invariant."""
        loop().run(self.system.settle())
        self.check_all()

    def check_all(self) -> None:
        TOTALS["checks"] += 1
        staff = self.staff("registration")
        current = {}
        for rid, registration in self.registrations.items():
            found = self.call("registration", "GET", f"/v1/registrations/{rid}", staff)
            assert found.status_code == 200, found.text
            current[rid] = found.json()
            history = self.call("registration", "GET", f"/v1/registrations/{rid}/history", staff)
            entries = history.json()
            # Every change raises the revision by one and writes one history entry.
            assert current[rid]["revision"] >= registration.revision, "the revision went back"
            assert len(entries) == current[rid]["revision"], (
                f"{rid}: revision {current[rid]['revision']}, {len(entries)} history entries"
            )
        sessions = self._sessions()
        by_id = {s["id"]: s for s in sessions}
        number_of = {p["id"]: n for n, p in self.periods.items()}
        live = self._live_enrolments()
        self._check_capacity(sessions, live)
        self._check_seats(current, sessions, by_id, number_of, live)
        self._check_calendars(by_id, live)
        assert loop().run(self.system.dead_letters()) == 0, "a consumer dead-lettered an event"
        ids = [m["Message-ID"] for m in self.system.mail.messages]
        assert len(ids) == len(set(ids)), "a mail was sent twice"

    def _check_capacity(self, sessions: list[dict[str, Any]], live: list[dict[str, Any]]) -> None:
        for session in sessions:
            mine = [e for e in live if e["session_id"] == session["id"]]
            confirmed = sum(e["status"] == "confirmed" for e in mine)
            waiting = sum(e["status"] == "waitlisted" for e in mine)
            if session["status"] != "scheduled":
                assert not mine, f"a cancelled session holds {len(mine)} people"
                continue
            assert confirmed <= session["capacity"], session
            assert not waiting or confirmed == session["capacity"], (
                f"{waiting} wait while {session['capacity'] - confirmed} seats are free"
            )

    def _check_seats(
        self,
        current: dict[str, dict[str, Any]],
        sessions: list[dict[str, Any]],
        by_id: dict[str, dict[str, Any]],
        number_of: dict[str, int],
        live: list[dict[str, Any]],
    ) -> None:
        # A person holds one seat in a session, whichever of their registrations gives it.
        held: dict[str, list[str]] = defaultdict(list)
        for enrolment in live:
            rid, email = enrolment["registration_id"], enrolment["email"]
            held[email].append(enrolment["session_id"])
            registration = current.get(rid)
            assert registration is not None, f"a seat of an unknown registration {rid}"
            session = by_id[enrolment["session_id"]]
            assert registration["state"] in LIVE_STATES, (
                f"{email} holds a seat of a {registration['state']} registration"
            )
            assert registration["period"]["number"] == number_of[session["period_id"]], (
                f"{email} holds a seat outside the registration's period"
            )
            contacts = {c["email"]: c for c in registration["contacts"] if c["participates"]}
            assert email in contacts, f"{email} is no longer a participating contact of {rid}"
        for email, sessions_held in held.items():
            assert len(sessions_held) == len(set(sessions_held)), f"{email} holds a seat twice"
        moved = {email for _, email in self.moved_by_staff}
        expected: dict[str, set[str]] = defaultdict(set)
        for registration in current.values():
            if registration["state"] not in LIVE_STATES:
                continue
            period_id = self.periods[registration["period"]["number"]]["id"]
            choices = [
                self._choice(s)
                for s in sessions
                if s["period_id"] == period_id and s["status"] == "scheduled"
            ]
            for contact in registration["contacts"]:
                if not contact["participates"]:
                    continue
                expected[contact["email"]] |= {
                    str(c.session_id)
                    for c in sessions_for(
                        choices,
                        service=registration["service"],
                        domain=registration["organisation"]["domain"],
                        role=contact["role"],
                        language=contact["language"],
                    )
                    if (contact["email"], c.group) not in self.opted_out
                }
        for email in (set(expected) | set(held)) - moved:
            assert set(held[email]) == expected[email], (
                f"{email} holds {sorted(held[email])}, the rules give {sorted(expected[email])}"
            )

    def _check_calendars(
        self, by_id: dict[str, dict[str, Any]], live: list[dict[str, Any]]
    ) -> None:
        entries: dict[tuple[str, str], list[tuple[str, int, datetime, str]]] = defaultdict(list)
        for message, (_, recipients) in zip(
            self.system.mail.messages, self.system.mail.envelopes, strict=True
        ):
            for part in message.walk():
                if part.get_content_type() != "text/calendar":
                    continue
                payload: Any = part.get_payload(decode=True)
                calendar = icalendar.Calendar.from_ical(payload)
                method = str(calendar.get("METHOD"))
                event: Any
                for event in calendar.walk("VEVENT"):
                    start = event.decoded("DTSTART").astimezone(UTC)
                    status = str(event.get("STATUS", "CONFIRMED"))
                    for recipient in recipients:
                        key = (recipient.lower(), str(event["UID"]))
                        entries[key].append((method, int(event["SEQUENCE"]), start, status))
        holding: dict[str, set[tuple[datetime, str]]] = defaultdict(set)
        for enrolment in live:
            start = _utc(by_id[enrolment["session_id"]]["starts_at"])
            seat = "TENTATIVE" if enrolment["status"] == "waitlisted" else "CONFIRMED"
            holding[enrolment["email"].lower()].add((start, seat))
        shown: dict[str, set[tuple[datetime, str]]] = defaultdict(set)
        for (recipient, uid), messages in entries.items():
            sequences = [sequence for _, sequence, _, _ in messages]
            assert sequences == sorted(set(sequences)), (
                f"{recipient} {uid}: SEQUENCE does not rise: {sequences}"
            )
            method, _, start, status = messages[-1]
            if method == "REQUEST" and status != "CANCELLED":
                shown[recipient].add((start, status))
        for recipient in set(holding) | set(shown):
            assert shown[recipient] == holding[recipient], (
                f"{recipient}'s calendar shows {sorted(shown[recipient])}, "
                f"the seats are {sorted(holding[recipient])}"
            )

    def teardown(self) -> None:
        try:
            loop().run(self.system.settle())
            self.check_all()
        finally:
            self._context.__exit__(None, None, None)


SystemModel.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    # No shrinking: a distributed system's timing makes replays differ, and the first failing
    # sequence, printed step by step, is what a developer needs.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    report_multiple_bugs=False,
    print_blob=True,
)


@pytest.mark.timeout(60 + 30 * EXAMPLES)
def test_the_system_keeps_its_invariants() -> None:
    """Runs the state machine; prints how many examples, steps and checks it ran."""
    before = dict(TOTALS)
    try:
        SystemModel.TestCase().runTest()
    finally:
        ran = {key: TOTALS[key] - before[key] for key in TOTALS}
        print(
            f"\nmodel: {ran['examples']} examples, {ran['steps']} steps, "
            f"{ran['checks']} invariant checks, {ran['stale replays']} stale snapshots replayed"
        )
