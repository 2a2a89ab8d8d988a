"""Write bench/results.md from bench/results.json: `python -m bench.report`."""

from __future__ import annotations

import json
from typing import Any

from bench._common import RESULTS_JSON, ROOT

RESULTS_MD = ROOT / "bench" / "results.md"


def _spread(figure: dict[str, Any], unit: str = "", digits: int = 0) -> str:
    return (
        f"{figure['median']:.{digits}f}{unit} "
        f"({figure['low']:.{digits}f}–{figure['high']:.{digits}f}, {figure['runs']} runs)"
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def rows(benches: dict[str, Any]) -> list[str]:
    lines = [
        "| bench | our path | ceiling (same run) | ratio / figure | goal | |",
        "|---|---|---|---|---|---|",
    ]
    if "intake" in benches:
        b = benches["intake"]
        lines.append(
            f"| intake | {_spread(b['ours_per_s'], ' req/s')} | "
            f"{_spread(b['raw_per_s'], ' req/s')} | {_spread(b['ratio'], '×', 2)} | ≥ 0.6× | "
            f"{_verdict(b['ratio']['median'] >= 0.6)} |"
        )
        if "cpu_ratio" in b:
            lines.append(
                f"| intake, server CPU per request | "
                f"{_spread(b['ours_cpu_ms_per_request'], ' ms', 2)} | "
                f"{_spread(b['raw_cpu_ms_per_request'], ' ms', 2)} | "
                f"{_spread(b['cpu_ratio'], '×', 2)} | — | (the load generator, "
                f"{b['raw_client_cpu_ms_per_request']['median']:.1f} ms a request, bounds the "
                "raw endpoint) |"
            )
    if "bus" in benches:
        b = benches["bus"]
        lines.append(
            f"| bus | {_spread(b['ours_events_per_s'], ' ev/s')} | "
            f"{_spread(b['raw_events_per_s'], ' ev/s')} | {_spread(b['ratio'], '×', 2)} | "
            f"≥ 0.5× | {_verdict(b['ratio']['median'] >= 0.5)} |"
        )
    if "mail" in benches:
        b = benches["mail"]
        lines.append(
            f"| mail | {_spread(b['ours_mails_per_s'], ' mails/s')} | "
            f"{_spread(b['raw_mails_per_s'], ' mails/s')} | {_spread(b['ratio'], '×', 2)} | "
            f"≥ 0.8× | {_verdict(b['ratio']['median'] >= 0.8)} |"
        )
    if "e2e" in benches:
        b = benches["e2e"]
        latency = b["latency"]
        verdicts = [
            f"rate {_verdict(b['best_sustained_per_s'] >= 300)}",
            f"p99 at half our best rate {_verdict(latency['p99_s'] <= 1)}",
            f"lost {_verdict(not b['lost'])}",
        ]
        at_150 = [s for s in b["steps"] if s["rate"] == 150]
        if at_150:  # half the goal's 300/s
            verdicts.append(
                f"at 150/s (half the goal rate) p99 {at_150[0]['p99_s']:.2f} s: "
                f"{_verdict(at_150[0]['sustained'] and at_150[0]['p99_s'] <= 1)}"
            )
        lines.append(
            f"| end to end | best sustained {b['best_sustained_per_s']:.0f} reg/s | — | "
            f"p50 {latency['p50_s']:.3f} s, p99 {latency['p99_s']:.3f} s at "
            f"{latency['rate']:.0f}/s; lost {b['lost']} | ≥ 300/s, p99 ≤ 1 s, 0 lost | "
            f"{', '.join(verdicts)} |"
        )
        idle = b["rss_idle_mb"]
        after = b["rss_after_mb"]
        lines.append(
            "| memory | idle "
            + ", ".join(f"{n} {v:.0f} MB" for n, v in idle.items())
            + " | — | after the run "
            + ", ".join(f"{n} {v:.0f} MB" for n, v in after.items())
            + f" | ≤ 120 MB idle | {_verdict(max(idle.values()) <= 120)} |"
        )
    if "scale" in benches:
        b = benches["scale"]
        lines.append(
            f"| scale | {b.get('summary_line', '')} | — | {b['ratio']:.2f}× (1M vs 1k) | "
            f"≤ 1.5× | {_verdict(b['ratio'] <= 1.5)} |"
        )
    return lines


def cpu_budget(e2e: dict[str, Any]) -> list[str]:
    """Where the CPU of one registration went, at each end-to-end rate (from /proc)."""
    steps = [s for s in e2e["steps"] if "cpu_ms_per_registration" in s]
    if not steps:
        return []
    parts = sorted(
        {p for s in steps for p in s["cpu_ms_per_registration"]},
        key=lambda p: -steps[-1]["cpu_ms_per_registration"].get(p, 0.0),
    )
    lines = [
        "## CPU per registration, end to end",
        "",
        "CPU milliseconds each process spent per registration at each rate of the end-to-end "
        "run (utime + stime from /proc, over the step and until its last mail arrived). Two "
        "cores give 2,000 ms of CPU a second, so 2,000 / total is the most registrations a "
        "second this machine can carry with that cost.",
        "",
        "| rate | " + " | ".join(parts) + " | total | 2 cores allow at that cost |",
        "|---" * (len(parts) + 3) + "|",
    ]
    for s in steps:
        cpu = s["cpu_ms_per_registration"]
        total = sum(cpu.values())
        cells = " | ".join(f"{cpu.get(p, 0.0):.1f}" for p in parts)
        flag = "" if s["sustained"] else " (not sustained)"
        lines.append(f"| {s['rate']:.0f}/s{flag} | {cells} | {total:.1f} | {2000 / total:.0f}/s |")
    return [*lines, ""]


def main() -> None:
    results = json.loads(RESULTS_JSON.read_text())
    machine = results.get("machine", {})
    notes = results.get("notes", {})
    text = [
        "# Benchmark results",
        "",
        f"Measured {machine.get('date', '?')} by `make bench` on {machine.get('cpus', '?')} "
        f"cores ({machine.get('platform', '?')}); Python {machine.get('python', '?')}, "
        f"RabbitMQ {machine.get('rabbitmq', '?')}, PostgreSQL {machine.get('postgresql', '?')}. "
        "Each ratio is our path against a raw ceiling measured in the same run; figures are "
        "medians with the range over the runs.",
        "",
        *rows(results.get("benches", {})),
        "",
        "`bench/results.json` holds every figure; the keys the issue asks for:",
        "",
        "```json",
        json.dumps(results.get("summary", {}), indent=2, sort_keys=True),
        "```",
        "",
    ]
    for title, body in notes.items():
        text += [f"## {title}", "", body.strip(), ""]
    intake = results.get("benches", {}).get("intake", {})
    if intake.get("profile"):
        text += [
            "## Profile of the intake path (py-spy)",
            "",
            "```text",
            *intake["profile"],
            "```",
            "",
        ]
    scale = results.get("benches", {}).get("scale", {})
    if scale.get("plan"):
        plan = scale["plan"] if isinstance(scale["plan"], list) else [scale["plan"]]
        text += ["## Plan of the first page at 1M rows", "", "```text", *plan, "```", ""]
    e2e = results.get("benches", {}).get("e2e", {})
    if e2e.get("steps"):
        text += cpu_budget(e2e)
    analysis = ROOT / "bench" / "analysis.md"
    if analysis.exists():
        text += [analysis.read_text().strip(), ""]
    RESULTS_MD.write_text("\n".join(text))
    print(f"wrote {RESULTS_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
