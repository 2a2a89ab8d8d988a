"""The three services as uvicorn processes on PostgreSQL, for the end-to-end benchmark."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bench._common import ROOT

SERVICES = ("registration", "scheduling", "notifications")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Process:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """Resident memory of the process, from /proc (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def running_services(env: Mapping[str, str], log_dir: Path) -> Iterator[dict[str, Process]]:
    processes: dict[str, Process] = {}
    try:
        for name in SERVICES:
            port = free_port()
            log = (log_dir / f"{name}.log").open("wb")
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    f"services.{name}.main:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes[name] = Process(name, port, process)
        deadline = time.monotonic() + 60
        for service in processes.values():
            while not _ready(service.url):
                if service.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{service.name} did not start; see {log_dir}")
                time.sleep(0.2)
        yield processes
    finally:
        for service in processes.values():
            service.process.terminate()
        for service in processes.values():
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.process.kill()
