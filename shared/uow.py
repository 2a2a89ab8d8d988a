"""Unit of work: one database transaction for a state change and the events it causes."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import Clock
from shared.events import Envelope, EventPayload, make_envelope
from shared.messaging.outbox import add_to_outbox
from shared.messaging.tables import MessagingTables


class UnitOfWork:
    """`async with uow:` opens a session; `emit()` queues events; `commit()` writes both at once.

    Leaving the block without `commit()` rolls everything back, events included; so does
    `rollback()`. A service's own unit of work subclasses this and hangs its repositories on
    it in `_open()` (`uow.registrations.get(...)`), so that use cases never touch the session.
    `clock` is the service's clock: the envelope's `occurred_at` and the inbox read it.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        tables: MessagingTables,
        producer: str,
        clock: Clock,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.clock = clock
        self._sessions = sessions
        self._tables = tables
        self._producer = producer
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self._events: list[Envelope] = []
        self._after_commit: list[Callable[[], None]] = []

    @property
    def engine(self) -> AsyncEngine:
        """The engine its sessions use (for a statement that needs no transaction of its own)."""
        bind = self._sessions.kw["bind"]
        if not isinstance(bind, AsyncEngine):
            raise RuntimeError("the unit of work's sessions are not bound to an engine")
        return bind

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._events = []
        self._after_commit = []
        self._open(self._session)
        return self

    def _open(self, session: AsyncSession) -> None:
        """Build the repositories of a new transaction (subclasses)."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches loaded objects
        # without expiring them, so results stay readable after the block.
        try:
            await self.session.close()
        finally:
            self._session = None
            self._events = []
            self._after_commit = []

    def emit(self, payload: EventPayload) -> Envelope:
        """Queue an event; it is written to the outbox in this transaction at commit."""
        envelope = make_envelope(payload, producer=self._producer, occurred_at=self.clock.now())
        self._events.append(envelope)
        return envelope

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this unit of work has committed; never after a rollback."""
        self._after_commit.append(callback)

    async def commit(self) -> None:
        """Write queued events to the outbox and commit; then wake the relay."""
        session = self.session
        had_events = bool(self._events)
        await add_to_outbox(
            session, tables=self._tables, envelopes=self._events, now=self.clock.now()
        )
        await session.commit()
        callbacks, self._after_commit = self._after_commit, []
        self._events = []
        if had_events and self._on_commit is not None:
            self._on_commit()
        for callback in callbacks:
            callback()

    async def flush(self) -> None:
        """Send pending changes to the database (ids, constraints) without committing."""
        await self.session.flush()

    async def rollback(self) -> None:
        """Undo this transaction so far, and drop the events and callbacks it queued."""
        await self.session.rollback()
        self._events = []
        self._after_commit = []


U = TypeVar("U", bound=UnitOfWork)
UnitOfWorkFactory = Callable[[], UnitOfWork]
