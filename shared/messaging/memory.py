"""The fast tier's broker: the `BrokerPort` in memory, for tests that need no RabbitMQ.

It confirms every publish at once and keeps what was published, in order, so a use-case test
can assert the events a commit sent. It starts no consumers: what crosses the real broker
(queues, retries, dead letters, redelivery) is tested against RabbitMQ, never here.
"""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika

from shared.events import Envelope
from shared.messaging.broker import OnConnected


@dataclass(frozen=True)
class Published:
    """One confirmed publish."""

    routing_key: str
    mandatory: bool
    envelope: Envelope


class InMemoryBroker:
    """A broker that is always up and confirms every publish; `published` lists them."""

    def __init__(self) -> None:
        self.published: list[Published] = []
        self._started = False

    def on_connected(self, callback: OnConnected) -> None:
        """Consumers need a real broker; here they are never started."""

    def start(self) -> None:
        self._started = True

    async def wait_ready(self, timeout: float | None = None) -> None:
        if not self._started:
            raise RuntimeError("the in-memory broker was not started")

    @property
    def is_connected(self) -> bool:
        return self._started

    async def publish(
        self, message: aio_pika.Message, *, routing_key: str, mandatory: bool
    ) -> None:
        envelope = Envelope.model_validate_json(message.body)
        self.published.append(Published(routing_key, mandatory, envelope))

    def event_types(self) -> list[str]:
        """The event types published so far, in order."""
        return [p.envelope.event_type for p in self.published]

    async def close(self) -> None:
        self._started = False
