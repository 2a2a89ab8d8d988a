"""Unit of work: one database transaction for a state change and the events it causes."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events import Envelope, EventPayload, make_envelope
from shared.messaging.outbox import add_to_outbox
from shared.messaging.tables import MessagingTables


class UnitOfWork:
    """`async with uow:` opens a session; `emit()` queues events; `commit()` writes both at once.

    Leaving the block without `commit()` rolls everything back, events included.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        tables: MessagingTables,
        producer: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
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

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._sessions()
        self._events = []
        self._after_commit = []
        return self

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
        envelope = make_envelope(payload, producer=self._producer)
        self._events.append(envelope)
        return envelope

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this unit of work has committed; never after a rollback."""
        self._after_commit.append(callback)

    @property
    def events(self) -> list[Envelope]:
        """Events emitted so far in this unit of work (not yet committed)."""
        return list(self._events)

    async def commit(self) -> None:
        """Write queued events to the outbox and commit; then wake the relay."""
        session = self.session
        had_events = bool(self._events)
        await add_to_outbox(session, tables=self._tables, envelopes=self._events)
        await session.commit()
        callbacks, self._after_commit = self._after_commit, []
        self._events = []
        if had_events and self._on_commit is not None:
            self._on_commit()
        for callback in callbacks:
            callback()


UnitOfWorkFactory = Callable[[], UnitOfWork]
