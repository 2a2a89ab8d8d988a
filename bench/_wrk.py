"""An intake load generator with wrk: distinct registrations POSTed, wrk's figures as a dict.

    python -m bench._wrk [--seconds 5] [--connections 16]     # self-test against bench._http201

`run(url, …)` runs `wrk --latency -s bench/wrk/intake.lua` for a duration and connection
count. Each request is the form `bench/intake.py` posts (`bench._raw.registration_body`) for an
organisation of its own: a valid Y-tunnus generated in Lua from `start`, or read with its own
bearer token from a file written by `write_ids()` (one token per organisation, as the
registration service wants). Answers requests/s, latency percentiles, non-2xx answers (wrk
counts statuses ≥ 400), socket errors and the CPU per request of wrk itself (from /proc of
the wrk process, read once it has exited and before it is reaped) and, given its pid, of
the server. Debian: `apt-get install -y wrk`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from bench._raw import business_ids, cpu_seconds, registration_body

LUA = Path(__file__).resolve().parent / "wrk" / "intake.lua"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def body_template(*, year: int = 2027, planned: str = "2027-04-15") -> str:
    """The JSON body with @BID@, @BID7@ and @OID@ where the organisation's ID goes."""
    body = registration_body(
        "@BID@", email="tekninen@@BID7@.example.fi", year=year, planned=planned
    )
    body["organisation"]["oid"] = "1.2.246.10.@OID@.10.0"
    return json.dumps(body)


def write_ids(
    path: Path, business_ids_: Iterable[str], token_for: Callable[[str], str] | None = None
) -> int:
    """One "business_id<TAB>token" a line for WRK_IDS_FILE; the count written."""
    lines = [f"{b}\t{token_for(b) if token_for else ''}" for b in business_ids_]
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse(output: str) -> dict[str, Any]:
    """wrk's own text (requests/s, latency distribution, non-2xx) and the script's WRK_JSON."""
    figures: dict[str, Any] = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        figures["requests_per_s"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output):
        figures["requests"] = int(m.group(1))
        figures["seconds"] = _ms(m.group(2), m.group(3)) / 1000
    figures["latency_ms"] = {
        f"p{q}": _ms(v, u)
        for q, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)", output, re.M)
    }
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    names = ("connect", "read", "write", "timeout")
    figures["socket_errors"] = dict(zip(names, map(int, m.groups()), strict=True)) if m else {}
    if m := re.search(r"^WRK_JSON (.*)$", output, re.M):
        script = json.loads(m.group(1))
        figures["latency_ms"] |= {
            k: v / 1000 for k, v in script["latency_us"].items() if k in ("p99.9", "max", "mean")
        }
        figures["seconds"] = script["duration_us"] / 1e6
        figures["requests_made"] = script["requests_made"]
        figures["ids_wrapped"] = script["ids_wrapped"]
    return figures


def run(
    url: str,
    *,
    seconds: float = 5,
    connections: int = 16,
    threads: int = 1,
    token: str = "bench",
    start: int = 1_000_000,
    ids_file: Path | None = None,
    year: int = 2027,
    planned: str = "2027-04-15",
    timeout_s: float = 10,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """One wrk run against `url`; its figures, with wrk's (and the server's) CPU per request."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install -y wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as template:
        template.write(body_template(year=year, planned=planned))
    env = {
        **os.environ,
        "WRK_TEMPLATE": template.name,
        "WRK_TOKEN": token,
        "WRK_THREADS": str(threads),
        "WRK_START": str(start),
        "WRK_IDS_FILE": str(ids_file or ""),
    }
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    argv += [f"--timeout={timeout_s:g}s", "-s", str(LUA), url]
    server_before = cpu_seconds(server_pid) if server_pid else 0.0
    try:
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Exited but not reaped: its /proc entry still holds the CPU it used.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        wrk_cpu = cpu_seconds(process.pid)
        out, err = process.communicate()
    finally:
        os.unlink(template.name)
    server_cpu = cpu_seconds(server_pid) - server_before if server_pid else None
    output = out.decode()
    if process.returncode != 0 or "Requests/sec" not in output:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}\n{err.decode()}")
    figures = parse(output)
    done = max(1, figures.get("requests", 0))
    figures |= {
        "url": url,
        "connections": connections,
        "threads": threads,
        "ok_per_s": (done - figures["non_2xx"] - sum(figures["socket_errors"].values()))
        / figures["seconds"],
        "wrk_cpu_ms_per_request": 1000 * wrk_cpu / done,
    }
    if server_cpu is not None:
        figures["server_cpu_ms_per_request"] = 1000 * server_cpu / done
    return figures


def _self_test(seconds: float, connections: int) -> dict[str, Any]:
    """wrk against bench._http201 (201 only for a valid, new business ID with a token)."""
    from bench._smtp import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench._http201", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/stats", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        generated = run(
            f"{base}/v1/registrations",
            seconds=seconds,
            connections=connections,
            server_pid=server.pid,
        )
        with tempfile.TemporaryDirectory() as tmp:
            ids = Path(tmp) / "ids.tsv"
            # Another range of IDs, each with its own token, as for the registration service.
            count = write_ids(ids, islice(business_ids(5_000_000), 50_000), lambda b: f"tok-{b}")
            from_file = run(
                f"{base}/v1/registrations",
                seconds=2,
                connections=connections,
                ids_file=ids,
                server_pid=server.pid,
            )
        with urllib.request.urlopen(f"{base}/stats", timeout=5) as answer:
            stats = json.loads(answer.read())
    finally:
        server.terminate()
        server.wait()
    return {
        "generated_ids": generated,
        "ids_file": from_file | {"ids_in_file": count},
        "server_counts": stats,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(_self_test(args.seconds, args.connections), indent=2))
