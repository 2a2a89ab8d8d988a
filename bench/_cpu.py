"""CPU seconds by process over a stretch of a benchmark, from /proc (Linux).

`CpuMeter(services)` snapshots every process before and after; `split()` answers the CPU each
part of the system used in between: our three services, PostgreSQL, RabbitMQ, the load
generator (a child process) and this benchmark process (its SMTP server).
"""

from __future__ import annotations

import os
import resource
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

_HZ = os.sysconf("SC_CLK_TCK")


def _cpu_by_pid() -> dict[int, tuple[str, float]]:
    seen: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[int(entry.name)] = (comm, (int(fields[11]) + int(fields[12])) / _HZ)
    return seen


def _own() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


class CpuMeter:
    """CPU seconds spent between `start()` and `split()`, by part of the system."""

    def __init__(self, services: Mapping[str, int]) -> None:
        self._services = {pid: name for name, pid in services.items()}
        self._before: dict[int, tuple[str, float]] = {}
        self._own = (0.0, 0.0)

    def start(self) -> None:
        self._before = _cpu_by_pid()
        self._own = _own()

    def _part(self, pid: int, comm: str) -> str | None:
        if pid in self._services:
            return self._services[pid]
        if comm.startswith("postgres"):
            return "postgresql"
        if comm.startswith(("beam", "erl_child", "epmd")):
            return "rabbitmq"
        return None

    def split(self) -> dict[str, float]:
        after = _cpu_by_pid()
        own, children = _own()
        parts: defaultdict[str, float] = defaultdict(float)
        for pid, (comm, cpu) in after.items():
            part = self._part(pid, comm)
            if part is None:
                continue
            before = self._before.get(pid)
            parts[part] += cpu - (before[1] if before and before[0] == comm else 0.0)
        # The load generator ran as a child and has been waited for; the services did not.
        parts["load generator"] = children - self._own[1]
        parts["benchmark (SMTP server)"] = own - self._own[0]
        return dict(parts)
