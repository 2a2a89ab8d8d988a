"""The mail outbox on SQLite and PostgreSQL: queueing once, claiming apart, fenced outcomes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import col

from services.notifications.adapters.mails import MailRepository
from services.notifications.adapters.tables import Mail, messaging
from services.notifications.adapters.uow import NotificationsUnitOfWork
from services.notifications.app import delivery, registration_mails
from services.notifications.app.mailer import Mailer
from services.notifications.app.sender import MailSender
from services.notifications.domain.mail import MailStatus
from services.notifications.domain.replies import RetryPolicy, SmtpReply, Stage
from services.notifications.main import MIGRATIONS
from services.notifications.settings import NotificationsSettings
from shared.clock import SettableClock, SystemClock
from shared.contracts.common import Contact, Language
from shared.contracts.registration import RegistrationSubmitted
from shared.db import create_engine, session_factory
from shared.events import Envelope, make_envelope
from shared.migrations import upgrade_to_head
from tests.support import CapturingHandler, free_port, smtp_server, submitted_event, unique

POLICY = RetryPolicy(max_attempts=3, base_s=10, max_s=100, rand=lambda: 0.0)
CLOCK = SystemClock()


@pytest.fixture(params=["sqlite", "postgres"])
async def engine(
    request: pytest.FixtureRequest, pg_databases: Any, make_settings: Callable[..., Any]
) -> AsyncIterator[AsyncEngine]:
    """A migrated notifications database on each backend."""
    if request.param == "postgres":
        url = await pg_databases.create("notif")
    else:
        url = make_settings(NotificationsSettings).database_url
    engine = create_engine(url)
    await upgrade_to_head(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


def uow_factory(engine: AsyncEngine) -> Callable[[], NotificationsUnitOfWork]:
    sessions = session_factory(engine)
    return lambda: NotificationsUnitOfWork(
        sessions, tables=messaging, producer="notifications", clock=CLOCK
    )


def submitted(*emails: str, language: Language = "fi") -> Envelope:
    payload = submitted_event(
        contacts=[Contact(name="Maija", email=email, language=language) for email in emails]
    )
    return make_envelope(payload, producer="test")


def mailer(rings: list[str] | None = None) -> Mailer:
    return Mailer(
        message_id_domain="kanta.example",
        organizer="kayttoonotot@kanta.example",
        organizer_name="Kanta",
        on_queued=lambda: (rings if rings is not None else []).append("ring"),
    )


async def queue(
    uow: NotificationsUnitOfWork, envelope: Envelope, rings: list[str] | None = None
) -> int:
    payload = RegistrationSubmitted.model_validate(envelope.payload)
    async with uow:
        queued = await registration_mails.on_registration_event(
            uow, payload, envelope, mailer=mailer(rings), clock=CLOCK
        )
        await uow.commit()
    return queued


async def mails_of(engine: AsyncEngine, registration_id: Any) -> list[Mail]:
    async with session_factory(engine)() as session:
        return await MailRepository(session).find(registration_id=registration_id, limit=100)


async def test_queueing_the_same_event_again_adds_nothing_even_past_the_inbox(
    engine: AsyncEngine,
) -> None:
    make_uow = uow_factory(engine)
    first, second = f"{unique('a')}@example.fi", f"{unique('b')}@example.fi"
    # The same address twice (differently written) is one recipient.
    envelope = submitted(first, second, first.upper())
    rings: list[str] = []

    assert await queue(make_uow(), envelope, rings) == 2
    assert await queue(make_uow(), envelope, rings) == 0

    mails = await mails_of(engine, uuid.UUID(envelope.payload["registration_id"]))
    assert sorted(mail.recipient for mail in mails) == sorted([first, second])
    assert all(mail.status == MailStatus.QUEUED for mail in mails)
    assert rings == ["ring"], "the sender is woken after the commit that queued, only then"


async def test_a_rolled_back_queueing_neither_stores_nor_wakes(engine: AsyncEngine) -> None:
    envelope = submitted(f"{unique('c')}@example.fi")
    rings: list[str] = []
    uow = uow_factory(engine)()
    async with uow:
        payload = RegistrationSubmitted.model_validate(envelope.payload)
        await registration_mails.on_registration_event(
            uow, payload, envelope, mailer=mailer(rings), clock=CLOCK
        )
        # Left without commit: rolled back.
    assert await mails_of(engine, uuid.UUID(envelope.payload["registration_id"])) == []
    assert rings == []


async def test_concurrent_claims_never_share_a_mail(engine: AsyncEngine) -> None:
    make_uow = uow_factory(engine)
    for _ in range(5):
        await queue(make_uow(), submitted(*(f"{unique('d')}@example.fi" for _ in range(4))))

    claims = await asyncio.gather(
        *(delivery.claim_due_mails(make_uow(), limit=6, lease_s=60, clock=CLOCK) for _ in range(5))
    )

    claimed = [mail.id for claim in claims for mail in claim.mails]
    assert len(claimed) == len(set(claimed)) == 20
    assert len({claim.token for claim in claims}) == 5
    for claim in claims:
        assert all(mail.status == MailStatus.SENDING for mail in claim.mails)
        assert all(mail.claim_token == claim.token for mail in claim.mails)
    again = await delivery.claim_due_mails(make_uow(), limit=50, lease_s=60, clock=CLOCK)
    assert again.mails == [], "leased mails are not due"


async def test_a_taken_over_claim_cannot_overwrite_the_new_holders_outcome(
    engine: AsyncEngine,
) -> None:
    make_uow = uow_factory(engine)
    envelope = submitted(f"{unique('e')}@example.fi")
    await queue(make_uow(), envelope)
    now = CLOCK.now()
    at_now = SettableClock(now)
    [stale] = (await delivery.claim_due_mails(make_uow(), limit=1, lease_s=5, clock=at_now)).mails
    later = now + timedelta(seconds=6)
    at_later = SettableClock(later)
    current = await delivery.claim_due_mails(make_uow(), limit=1, lease_s=5, clock=at_later)
    assert [mail.id for mail in current.mails] == [stale.id]
    assert stale.claim_token is not None

    lost = await delivery.record_attempt(
        make_uow(),
        mail=stale,
        token=stale.claim_token,
        reply=SmtpReply(451, "4.3.0 late", Stage.DATA),
        policy=POLICY,
        clock=CLOCK,
    )
    assert lost is None
    won = await delivery.record_attempt(
        make_uow(),
        mail=current.mails[0],
        token=current.token,
        reply=SmtpReply(250, "OK", Stage.DATA),
        policy=POLICY,
        clock=at_later,
    )
    assert won is MailStatus.SENT
    [mail] = await mails_of(engine, uuid.UUID(envelope.payload["registration_id"]))
    assert (mail.status, mail.attempts, mail.last_reply) == (MailStatus.SENT, 1, "250 OK")
    assert mail.claim_token is None and mail.claimed_until is None
    assert mail.sent_at == later


async def test_a_retry_is_due_only_after_its_back_off(engine: AsyncEngine) -> None:
    make_uow = uow_factory(engine)
    envelope = submitted(f"{unique('f')}@example.fi")
    await queue(make_uow(), envelope)
    now = CLOCK.now()
    at_now = SettableClock(now)
    claim = await delivery.claim_due_mails(make_uow(), limit=1, lease_s=60, clock=at_now)
    status = await delivery.record_attempt(
        make_uow(),
        mail=claim.mails[0],
        token=claim.token,
        reply=SmtpReply(421, "4.7.0 closing", Stage.DATA),
        policy=POLICY,
        clock=at_now,
    )
    assert status is MailStatus.RETRYING
    [mail] = await mails_of(engine, uuid.UUID(envelope.payload["registration_id"]))
    # First back-off with the lowest draw: half of the 10 s base.
    assert mail.next_attempt_at == now + timedelta(seconds=5)

    early = SettableClock(now + timedelta(seconds=4.9))
    assert (
        await delivery.claim_due_mails(make_uow(), limit=1, lease_s=60, clock=early)
    ).mails == []
    due = SettableClock(now + timedelta(seconds=5))
    [again] = (await delivery.claim_due_mails(make_uow(), limit=1, lease_s=60, clock=due)).mails
    assert again.id == mail.id and again.attempts == 1


async def test_an_address_suppressed_after_queueing_is_not_sent(
    engine: AsyncEngine, smtp: tuple[str, int, CapturingHandler], make_settings: Callable[..., Any]
) -> None:
    _, port, server = smtp
    make_uow = uow_factory(engine)
    gone, kept = f"{unique('g')}@example.fi", f"{unique('h')}@example.fi"
    envelope = submitted(gone, kept, language="sv")
    await queue(make_uow(), envelope)
    uow = make_uow()
    async with uow:
        await uow.suppressions.add(email=gone, reason="550 5.1.1 no such user", now=CLOCK.now())
        await uow.commit()
    settings = make_settings(NotificationsSettings, smtp_port=port)
    sender = MailSender(uow_factory=make_uow, settings=settings, clock=CLOCK)

    outcome = await sender.send_due()

    assert outcome.claimed == 2
    assert outcome.statuses == {MailStatus.SENT: 1, MailStatus.SUPPRESSED: 1}
    by_recipient = {
        m.recipient: m
        for m in await mails_of(engine, uuid.UUID(envelope.payload["registration_id"]))
    }
    assert by_recipient[gone].status == MailStatus.SUPPRESSED
    assert by_recipient[gone].attempts == 0
    assert by_recipient[kept].status == MailStatus.SENT
    assert server.envelopes == [(settings.mail_from_address, [kept])]


@dataclass
class RecordWatchingHandler(CapturingHandler):
    """Notes, as each mail's content arrives, how many mails the database holds as sent.

    Right after the first content it holds every write to the mails back for `hold_s`, as a
    slow or busy database would, so that the first mail's record has to wait.
    """

    database_url: str = ""
    hold_s: float = 0.5
    sent_when_content_arrived: list[int] = field(default_factory=list)
    _holding: list[asyncio.Task[None]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        # The server runs its own event loop (a thread of its own): connections of its own.
        # A plain engine: reading must not queue for SQLite's write lock as ours would.
        engine = create_async_engine(self.database_url)
        try:
            async with engine.connect() as conn:
                sent = select(func.count()).select_from(Mail).where(col(Mail.status) == "sent")
                self.sent_when_content_arrived.append(int((await conn.execute(sent)).scalar_one()))
        finally:
            await engine.dispose()
        if len(self.sent_when_content_arrived) == 1:
            locked = asyncio.Event()
            self._holding.append(asyncio.create_task(self._hold_writes(locked)))
            await locked.wait()
        return await super().handle_DATA(server, session, envelope)

    async def _hold_writes(self, locked: asyncio.Event) -> None:
        engine = create_engine(self.database_url)
        try:
            async with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE takes the write lock
                if conn.dialect.name == "postgresql":
                    await conn.execute(text("LOCK TABLE mails IN EXCLUSIVE MODE"))
                locked.set()
                await asyncio.sleep(self.hold_s)
        finally:
            await engine.dispose()


async def test_each_mail_is_recorded_before_the_next_ones_content_is_sent(
    engine: AsyncEngine, make_settings: Callable[..., Any]
) -> None:
    """A crash can re-send at most the mail whose reply was in hand, never two."""
    make_uow = uow_factory(engine)
    emails = [f"{unique(f'p{i}')}@example.fi" for i in range(5)]
    await queue(make_uow(), submitted(*emails))
    handler = RecordWatchingHandler(database_url=engine.url.render_as_string(hide_password=False))
    with smtp_server(handler) as (_, port, _):
        settings = make_settings(NotificationsSettings, smtp_port=port, staff_mailbox="")
        sender = MailSender(uow_factory=make_uow, settings=settings, clock=CLOCK)
        outcome = await sender.send_due()

    assert outcome.statuses == {MailStatus.SENT: 5}
    # The k-th content arrives with exactly the k mails before it recorded as sent, even
    # while the first record waited half a second for the database.
    assert handler.sent_when_content_arrived == [0, 1, 2, 3, 4]


async def test_a_full_pass_goes_on_at_once_unless_smtp_is_unavailable(
    engine: AsyncEngine, smtp: tuple[str, int, CapturingHandler], make_settings: Callable[..., Any]
) -> None:
    """The sender's pass asks for another at once after a full batch, but not in an outage."""
    _, port, server = smtp
    make_uow = uow_factory(engine)
    await queue(make_uow(), submitted(*(f"{unique('q')}@example.fi" for _ in range(3))))
    settings = make_settings(
        NotificationsSettings, smtp_port=port, mail_batch_size=2, staff_mailbox=""
    )
    sender = MailSender(uow_factory=make_uow, settings=settings, clock=CLOCK)

    assert await sender.one_pass() is True, "a full batch: the rest may be waiting"
    assert await sender.one_pass() is False, "one mail of two: nothing more is due"
    assert len(server.messages) == 3

    await queue(make_uow(), submitted(*(f"{unique('r')}@example.fi" for _ in range(2))))
    down = make_settings(
        NotificationsSettings, smtp_port=free_port(), mail_batch_size=2, staff_mailbox=""
    )
    outage = MailSender(uow_factory=make_uow, settings=down, clock=CLOCK)
    assert await outage.one_pass() is False, "a full batch, but SMTP is down: wait"
    assert len(server.messages) == 3


async def test_a_mail_that_cannot_be_built_fails_alone_and_the_others_are_sent(
    engine: AsyncEngine, smtp: tuple[str, int, CapturingHandler], make_settings: Callable[..., Any]
) -> None:
    """#15.5: a mail whose build raises is that mail's failure, never the pass's."""
    _, port, server = smtp
    make_uow = uow_factory(engine)
    first, poisoned, last = (f"{unique(label)}@example.fi" for label in ("s1", "s2", "s3"))
    envelope = submitted(first, poisoned, last)
    await queue(make_uow(), envelope)
    async with session_factory(engine)() as session:
        # A correlation id with CR/LF, as a peer's bug or a replay could leave in the row.
        await session.exec(
            update(Mail)
            .where(col(Mail.recipient) == poisoned)
            .values(correlation_id="corr\r\nBcc: evil@example.com")
        )
        await session.commit()
    settings = make_settings(NotificationsSettings, smtp_port=port, staff_mailbox="")
    sender = MailSender(uow_factory=make_uow, settings=settings, clock=CLOCK)

    outcome = await sender.send_due()

    assert outcome.claimed == 3
    assert outcome.statuses == {MailStatus.SENT: 2, MailStatus.FAILED: 1}
    by_recipient = {
        m.recipient: m
        for m in await mails_of(engine, uuid.UUID(envelope.payload["registration_id"]))
    }
    broken = by_recipient[poisoned]
    assert broken.status == MailStatus.FAILED
    assert broken.attempts == 1
    assert broken.claim_token is None
    assert broken.last_reply is not None and "could not be built" in broken.last_reply
    assert by_recipient[first].status == by_recipient[last].status == MailStatus.SENT
    assert sorted(rcpt for _, [rcpt] in server.envelopes) == sorted([first, last])
    assert all("evil@example.com" not in str(m) for m in server.messages)
