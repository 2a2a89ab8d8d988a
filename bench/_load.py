"""A load generator in its own process: `python -m bench._load requests.json`.

The file holds {"url": …, "concurrency": N, "rate": R or null, "requests": [{"method", "path",
"headers", "body"}, …]}. With `rate` it sends at that fixed rate (open loop), otherwise as
fast as `concurrency` connections allow. Prints one JSON line: count, seconds, statuses and
each request's latency and send time (seconds since `started_wall`, a Unix time).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

import httpx

from shared.clock import SystemClock


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    requests: list[dict[str, Any]] = spec["requests"]
    concurrency: int = spec.get("concurrency", 32)
    rate: float | None = spec.get("rate")
    statuses: Counter[int] = Counter()
    latencies: list[float] = [0.0] * len(requests)
    sent_at: list[float] = [0.0] * len(requests)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=spec["url"], limits=limits, timeout=60) as client:
        semaphore = asyncio.Semaphore(concurrency)
        started_wall = SystemClock().now().timestamp()
        started = time.perf_counter()

        async def one(index: int) -> None:
            request = requests[index]
            if rate is not None:
                delay = started + index / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            async with semaphore:
                begin = time.perf_counter()
                sent_at[index] = begin - started
                try:
                    response = await client.request(
                        request["method"],
                        request["path"],
                        headers=request.get("headers"),
                        json=request.get("body"),
                    )
                    statuses[response.status_code] += 1
                except httpx.HTTPError:
                    statuses[0] += 1
                latencies[index] = time.perf_counter() - begin

        await asyncio.gather(*(one(i) for i in range(len(requests))))
        seconds = time.perf_counter() - started
    return {
        "count": len(requests),
        "seconds": seconds,
        "statuses": {str(k): v for k, v in statuses.items()},
        "latencies": latencies,
        "sent_at": sent_at,
        "started_wall": started_wall,
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    print(json.dumps(asyncio.run(run(spec))))
