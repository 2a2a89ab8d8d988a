"""A tiny aiosmtpd sink in its own process that notes when each registration's mails arrive.

    with SmtpSink() as sink:            # listens on 127.0.0.1:<sink.port>
        ...                             # send mails to r<index>m<j>@anything
        sink.complete(0, 100, need=1)   # registrations 0..99 with ≥ 1 mail arrived

A recipient `r<index>m<j>@…` counts as mail j of registration `index`; any other recipient
counts in `total()` only. Arrival times are `time.monotonic()` of this machine (the clock is
system-wide on Linux), so other processes can subtract their own monotonic send times.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Tally:
    """Mails by registration index (from `r<index>m<j>@…`), with the last one's arrival time."""

    def __init__(self) -> None:
        self.count: dict[int, int] = {}
        self.last: dict[int, float] = {}
        self.total = 0

    def note(self, recipients: Iterable[str], now: float) -> None:
        self.total += 1
        for rcpt in recipients:
            head = rcpt.partition("@")[0].partition("m")[0]
            if head[:1] == "r" and head[1:].isdigit():
                index = int(head[1:])
                self.count[index] = self.count.get(index, 0) + 1
                self.last[index] = now

    def answer(self, command: Sequence[Any]) -> Any:
        """The answer to ("complete" | "lasts", lo, hi, need) or ("total",)."""
        if command[0] == "total":
            return self.total
        _, lo, hi, need = command
        if command[0] == "complete":
            return sum(1 for i in range(lo, hi) if self.count.get(i, 0) >= need)
        return [self.last[i] if self.count.get(i, 0) >= need else None for i in range(lo, hi)]


class _Arrivals:
    """aiosmtpd handler: note each mail in the tally as it arrives."""

    def __init__(self) -> None:
        self.tally = Tally()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        now = time.monotonic()
        with self.lock:
            self.tally.note(envelope.rcpt_tos, now)
        return "250 OK"


def _serve(port: int, conn: Connection) -> None:
    arrivals = _Arrivals()
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    try:
        while True:
            command = conn.recv()
            if command[0] == "stop":
                conn.send("stopped")
                return
            with arrivals.lock:
                conn.send(arrivals.tally.answer(command))
    finally:
        controller.stop()


class SmtpSink:
    """The sink process; a context manager that starts it and stops it."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._conn, child = multiprocessing.get_context("spawn").Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(self.port, child), name="smtp-sink", daemon=True
        )
        self._lock = threading.Lock()

    @property
    def pid(self) -> int:
        assert self._process.pid is not None
        return self._process.pid

    def ask(self, *command: Any) -> Any:
        """Send a command to the sink process and return its answer."""
        with self._lock:
            self._conn.send(command)
            return self._conn.recv()

    def complete(self, lo: int, hi: int, *, need: int) -> int:
        """How many registrations of [lo, hi) have all `need` mails."""
        answer: int = self.ask("complete", lo, hi, need)
        return answer

    def lasts(self, lo: int, hi: int, *, need: int) -> list[float | None]:
        """For each registration of [lo, hi): when its last mail arrived, None if not all did."""
        answer: list[float | None] = self.ask("lasts", lo, hi, need)
        return answer

    def total(self) -> int:
        answer: int = self.ask("total")
        return answer

    def __enter__(self) -> SmtpSink:
        self._process.start()
        if not self._conn.poll(30) or self._conn.recv() != "ready":
            self._process.kill()
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, EOFError):
            self.ask("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
