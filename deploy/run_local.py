"""`make run`: the services, a local SMTP sink and their migrations, supervised together.

    python deploy/run_local.py

Needs a RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/). Databases are SQLite
files under var/ unless DATABASE_URL / <SERVICE>_DATABASE_URL say otherwise; mail the
notifications service sends is saved as .eml files under var/mail/.

Environment (also read from `.env`; the real environment wins):
  REGISTRATION_PORT=8001  SCHEDULING_PORT=8002  NOTIFICATIONS_PORT=8003  WEBHOOKS_PORT=8004
  SMTP_SINK_PORT=1025
  VAR_DIR=var  MAIL_DIR=$VAR_DIR/mail  READY_TIMEOUT_S=60  STOP_TIMEOUT_S=15  BROKER_TIMEOUT_S=5
  RUN_SERVICES=registration,scheduling,notifications,webhooks  (a subset runs only those)
Every other variable (EXCHANGE, QUEUE_PREFIX, LOG_LEVEL, ...) passes through to the services.

Output lines of each child carry its name. Ctrl+C or SIGTERM stops everything (a second one
kills what still runs); if any child dies the others are stopped and the exit code is 1.
Exit code 2: no broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
# name, env var of its port, default port
SERVICES = (
    ("registration", "REGISTRATION_PORT", 8001),
    ("scheduling", "SCHEDULING_PORT", 8002),
    ("notifications", "NOTIFICATIONS_PORT", 8003),
    ("webhooks", "WEBHOOKS_PORT", 8004),
)
SINK = "smtp-sink"
# label, arguments of `onboarding clients create`
DEMO_CLIENTS = (
    ("staff", ["--staff", "--client-id", "demo-staff", "--name", "Demo staff"]),
    (
        "organisation",
        [
            "--organisation",
            "2077474-0",
            "--client-id",
            "demo-organisation",
            "--name",
            "Demo organisation (Esimerkki Terveys Oy)",
        ],
    ),
)
BROKER_TIMEOUT_S = 5.0
COLOURS = ("36", "35", "33", "32", "34", "31")


# --- configuration -------------------------------------------------------------------------


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a `.env` file (comments, `export` and quotes handled, nothing more)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip().upper()] = value
    return values


@dataclass
class Config:
    """What the supervisor needs, from the environment, then `.env`, then defaults."""

    environ: Mapping[str, str]
    dotenv: Mapping[str, str]

    def get(self, name: str, default: str | None = None) -> str | None:
        if name in self.environ:
            return self.environ[name]
        return self.dotenv.get(name, default)

    def is_set(self, name: str) -> bool:
        return self.get(name) not in (None, "")

    def port(self, name: str, default: int) -> int:
        raw = self.get(name) or str(default)
        try:
            value = int(raw)
        except ValueError:
            raise SystemExit(f"run_local: {name}={raw!r} is not a port number") from None
        if not 0 < value < 65536:
            raise SystemExit(f"run_local: {name}={value} is not a port number")
        return value

    def seconds(self, name: str, default: float) -> float:
        raw = self.get(name) or str(default)
        try:
            return float(raw)
        except ValueError:
            raise SystemExit(f"run_local: {name}={raw!r} is not a number of seconds") from None

    def path(self, name: str, default: Path) -> Path:
        raw = self.get(name)
        return Path(raw).resolve() if raw else default


def redact(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


# --- the broker check ------------------------------------------------------------------------


def broker_problem(url: str, timeout: float = BROKER_TIMEOUT_S) -> str | None:
    """None when an AMQP connection to `url` opens (and logs in), else what went wrong."""
    import logging

    import aio_pika

    for noisy in ("aio_pika", "aiormq"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    async def probe() -> None:
        connection = await asyncio.wait_for(aio_pika.connect(url, timeout=timeout), timeout + 1)
        await connection.close()

    try:
        asyncio.run(probe())
    except aio_pika.exceptions.ProbableAuthenticationError:
        return "refused the login (check the user and password in AMQP_URL)"
    except TimeoutError:
        return f"did not answer within {timeout:g}s"
    except Exception as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        return f"is not reachable ({reason})"
    return None


# --- children ----------------------------------------------------------------------------------


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn that makes Linux send SIGTERM to the child if this supervisor dies."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, sigterm = 1, int(signal.SIGTERM)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigterm)

    return preexec


PREEXEC = _die_with_parent()


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    port: int | None = None
    reader: threading.Thread | None = None


@dataclass
class Supervisor:
    env: dict[str, str]
    stop_timeout_s: float = 15.0
    children: list[Child] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    stop_signal: int | None = None
    _print_lock: threading.Lock = field(default_factory=threading.Lock)
    _colour: bool = field(
        default_factory=lambda: sys.stdout.isatty() and "NO_COLOR" not in os.environ
    )
    _width: int = max(len(SINK), *(len(name) for name, _, _ in SERVICES), len("migrate"))

    # output

    def say(self, message: str, *, err: bool = False) -> None:
        """A line of the supervisor itself."""
        with self._print_lock:
            print(f"run_local: {message}", file=sys.stderr if err else sys.stdout, flush=True)

    def _emit(self, name: str, colour: str, line: str) -> None:
        prefix = f"{name:>{self._width}} | "
        if self._colour:
            prefix = f"\033[{colour}m{prefix}\033[0m"
        with self._print_lock:
            sys.stdout.write(prefix + line + "\n")
            sys.stdout.flush()

    def _pump(self, child: Child, colour: str) -> None:
        assert child.proc.stdout is not None
        for raw in iter(child.proc.stdout.readline, b""):
            self._emit(child.name, colour, raw.decode("utf-8", "replace").rstrip("\r\n"))
        child.proc.stdout.close()

    # life cycle

    def spawn(self, name: str, argv: list[str], port: int | None = None) -> Child:
        """Start a child in its own session (Ctrl+C reaches only us; we stop it in order)."""
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=PREEXEC,  # safe: no reader thread runs while we fork
        )
        child = Child(name=name, proc=proc, port=port)
        self.children.append(child)
        return child

    def pump_output(self) -> None:
        """One thread per child copies its lines to our stdout (started after all forks)."""
        for index, child in enumerate(self.children):
            if child.reader is None:
                colour = COLOURS[index % len(COLOURS)]
                child.reader = threading.Thread(
                    target=self._pump, args=(child, colour), name=f"pump-{child.name}", daemon=True
                )
                child.reader.start()

    def dead(self) -> Child | None:
        """A child that has exited, if any."""
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        """First Ctrl+C / SIGTERM: stop in order. A second one: kill what still runs."""
        if self.stop_signal is None:
            self.stop_signal = signum
            self.stopping.set()
            return
        for child in self.children:
            if child.proc.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.proc.pid, signal.SIGKILL)

    def stop(self, children: list[Child]) -> None:
        """SIGTERM, wait up to stop_timeout_s, then SIGKILL the whole process group."""
        running = [c for c in children if c.proc.poll() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        for child in running:
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} did not stop in {self.stop_timeout_s:g}s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.proc.pid, signal.SIGKILL)
                child.proc.wait()
        for child in children:
            if child.reader is not None:
                child.reader.join(timeout=2)

    def stop_all(self) -> None:
        """Services first (they may still hand mail to the sink), then the rest."""
        services = [c for c in self.children if c.port is not None and c.name != SINK]
        self.stop(services)
        self.stop([c for c in self.children if c not in services])


# --- start-up steps ------------------------------------------------------------------------------


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def ready(port: int) -> tuple[bool, str]:
    """Whether GET /readyz answers 200, and what it said otherwise."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as response:
            return response.status == 200, ""
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code} {exc.read(300).decode('utf-8', 'replace')}"
    except (OSError, ValueError) as exc:
        return False, type(exc).__name__


def child_env(config: Config, var_dir: Path, sink_port: int) -> dict[str, str]:
    """The services' environment: ours, plus local defaults for what is not configured."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    if not config.is_set("LOG_JSON"):
        env["LOG_JSON"] = "false"  # readable lines; the children's stderr is not a terminal
    for name, _, _ in SERVICES:
        key = f"{name.upper()}_DATABASE_URL"
        if not config.is_set(key) and not config.is_set("DATABASE_URL"):
            env[key] = f"sqlite:///{var_dir / f'{name}.db'}"
    if not config.is_set("SMTP_HOST"):
        env["SMTP_HOST"] = HOST
    if not config.is_set("SMTP_PORT"):
        env["SMTP_PORT"] = str(sink_port)
    if not config.is_set("PUBLIC_BASE_URL"):  # calendar feed links point at this scheduling
        env["PUBLIC_BASE_URL"] = f"http://{HOST}:{config.port('SCHEDULING_PORT', 8002)}"
    return env


def main() -> int:
    config = Config(environ=os.environ, dotenv=read_dotenv(Path.cwd() / ".env"))
    amqp_url = config.get("AMQP_URL") or DEFAULT_AMQP_URL
    ports = {name: config.port(var, default) for name, var, default in SERVICES}
    sink_port = config.port("SMTP_SINK_PORT", 1025)
    var_dir = config.path("VAR_DIR", ROOT / "var")
    mail_dir = config.path("MAIL_DIR", var_dir / "mail")
    ready_timeout = config.seconds("READY_TIMEOUT_S", 60)
    known = [name for name, _, _ in SERVICES]
    wanted = [n.strip() for n in (config.get("RUN_SERVICES") or ",".join(known)).split(",")]
    wanted = [n for n in wanted if n]
    if not wanted or any(n not in known for n in wanted):
        raise SystemExit(f"run_local: RUN_SERVICES must name some of {', '.join(known)}")
    services = [entry for entry in SERVICES if entry[0] in wanted]

    problem = broker_problem(amqp_url, config.seconds("BROKER_TIMEOUT_S", BROKER_TIMEOUT_S))
    if problem is not None:
        hint = (
            "set AMQP_URL to a user the broker knows"
            if "login" in problem
            else "start one with `rabbitmq-server -detached` (or `docker compose up -d rabbitmq`)"
            " or set AMQP_URL"
        )
        print(
            f"run_local: RabbitMQ at {redact(amqp_url)} {problem}; {hint}",
            file=sys.stderr,
            flush=True,
        )
        return 2

    busy = [
        f"{port} ({var})"
        for port, var in [*((ports[n], v) for n, v, _ in services), (sink_port, "SMTP_SINK_PORT")]
        if port_in_use(port)
    ]
    if busy:
        print(
            f"run_local: port already in use: {', '.join(busy)}; free it or set the variable",
            file=sys.stderr,
            flush=True,
        )
        return 1

    var_dir.mkdir(parents=True, exist_ok=True)
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = child_env(config, var_dir, sink_port)
    if config.is_set("DATABASE_URL") and not all(
        config.is_set(f"{n.upper()}_DATABASE_URL") for n, _, _ in SERVICES
    ):
        print(
            "run_local: warning: DATABASE_URL is shared by the services that have no "
            "<SERVICE>_DATABASE_URL; each service needs a database of its own",
            file=sys.stderr,
        )

    sup = Supervisor(env=env, stop_timeout_s=config.seconds("STOP_TIMEOUT_S", 15))
    signal.signal(signal.SIGINT, sup.request_stop)
    signal.signal(signal.SIGTERM, sup.request_stop)
    try:
        return run(sup, services, ports, sink_port, mail_dir, ready_timeout, var_dir)
    finally:
        sup.stop_all()
        if sup.stop_signal is not None:
            sup.say("stopped")


def run(
    sup: Supervisor,
    services: list[tuple[str, str, int]],
    ports: dict[str, int],
    sink_port: int,
    mail_dir: Path,
    ready_timeout: float,
    var_dir: Path,
) -> int:
    python = sys.executable

    # 1. migrations, all three services
    names = [name for name, _, _ in services]
    migrate = sup.spawn("migrate", [python, "-m", "services.migrate", "upgrade", *names])
    sup.pump_output()
    while migrate.proc.poll() is None:
        if sup.stopping.wait(0.1):
            return 0
    sup.stop([migrate])
    sup.children.remove(migrate)
    if migrate.proc.returncode != 0:
        sup.say(f"migrations failed (exit code {migrate.proc.returncode})", err=True)
        return 1

    # 1b. demo API clients (their secrets are new on every start)
    demo: list[tuple[str, dict[str, str]]] = []
    if "registration" in names:
        for label, args in DEMO_CLIENTS:
            created = subprocess.run(
                [python, "-m", "services.registration.onboarding", "clients", "create", *args],
                env=sup.env,
                capture_output=True,
                text=True,
                check=False,
            )
            if created.returncode == 1 and "exists" in created.stderr:
                # A later start: `create` never rebinds an id, so the client gets a new secret.
                client_id = args[args.index("--client-id") + 1]
                rotate = ["clients", "rotate-secret", client_id]
                created = subprocess.run(
                    [python, "-m", "services.registration.onboarding", *rotate],
                    env=sup.env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            if created.returncode != 0:
                sup.say(f"could not create the demo {label} client: {created.stderr}", err=True)
                return 1
            demo.append((label, json.loads(created.stdout)))

    # 2. the SMTP sink and the services; nobody prints until all are forked
    sup.spawn(
        SINK,
        [
            python,
            str(ROOT / "deploy" / "smtp_sink.py"),
            "--host",
            HOST,
            "--port",
            str(sink_port),
            "--dir",
            str(mail_dir),
        ],
    )
    for name in names:
        sup.spawn(
            name,
            [
                python,
                "-m",
                "uvicorn",
                "--factory",
                f"services.{name}.main:create_app",
                "--host",
                HOST,
                "--port",
                str(ports[name]),
                "--no-proxy-headers",
            ],
            port=ports[name],
        )
    sup.pump_output()
    for child in sup.children:
        sup.say(f"started {child.name} (pid {child.proc.pid})")

    # 3. wait for every /readyz
    pending = {c.name: c for c in sup.children if c.port is not None}
    last: dict[str, str] = {}
    deadline = time.monotonic() + ready_timeout
    while pending:
        if sup.stopping.is_set():
            return 0
        if (gone := sup.dead()) is not None:
            sup.say(
                f"{gone.name} exited with code {gone.proc.returncode} while starting; "
                "stopping the others",
                err=True,
            )
            return 1
        for name, child in list(pending.items()):
            assert child.port is not None
            ok, detail = ready(child.port)
            if ok:
                del pending[name]
            else:
                last[name] = detail
        if pending and time.monotonic() > deadline:
            details = "; ".join(f"{n}: {last.get(n) or 'no answer'}" for n in pending)
            sup.say(f"not ready after {ready_timeout:g}s ({details}); stopping", err=True)
            return 1
        if pending:
            sup.stopping.wait(0.25)

    # 4. banner
    width = max(len(n) for n in names)
    lines = ["", "Kanta services are ready:"]
    for name in names:
        lines.append(f"  {name:<{width}}  http://{HOST}:{ports[name]}/docs")
    smtp = (sup.env.get("SMTP_HOST"), sup.env.get("SMTP_PORT"))
    if smtp == (HOST, str(sink_port)):
        lines.append(
            f"  {'mail':<{width}}  saved as .eml files in {shown(mail_dir)}"
            f" (SMTP sink on {HOST}:{sink_port})"
        )
    else:
        lines.append(f"  {'mail':<{width}}  sent to SMTP {smtp[0]}:{smtp[1]} (SMTP_HOST/SMTP_PORT)")
    lines.append(f"  {'data':<{width}}  {shown(var_dir)}")
    if demo:
        lines.append("Demo API clients (OAuth2 client credentials; new secrets on every start):")
        for label, credentials in demo:
            lines.append(
                f"  {label:<13} client_id={credentials['client_id']}"
                f"  client_secret={credentials['client_secret']}"
            )
        staff = demo[0][1]
        lines.append(
            f"  token: curl -s -X POST http://{HOST}:{ports['registration']}/v1/token "
            f"-d grant_type=client_credentials -d client_id={staff['client_id']} "
            f"-d client_secret={staff['client_secret']}"
        )
    lines.append("Ctrl+C stops everything.")
    lines.append("")
    with sup._print_lock:
        print("\n".join(lines), flush=True)

    # 5. run until a signal or a death
    while not sup.stopping.wait(0.25):
        if (gone := sup.dead()) is not None:
            sup.say(
                f"{gone.name} exited with code {gone.proc.returncode}; stopping the others",
                err=True,
            )
            return 1
    sup.say("stopping (signal received)")
    return 0


def shown(path: Path) -> str:
    """A path relative to the current directory when it is below it."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd())) + "/"
    return str(path) + "/"


if __name__ == "__main__":
    sys.exit(main())
