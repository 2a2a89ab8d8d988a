"""The HTTP side of a delivery: one POST to a checked address, never following redirects.

The connection goes to the address the SSRF check passed (`adapters.resolver`), not to a
fresh DNS answer: the URL's host is replaced by that address, the `Host` header carries the
name, and for https the TLS handshake sends the name as SNI and verifies the certificate
against it (httpcore's `sni_hostname` extension). So there is no window between check and
connect in which DNS could point the request elsewhere. No keep-alive: a pooled connection
is keyed by address and would carry another host's request over a TLS session verified for
the first. No proxies from the environment (`trust_env=False`): a proxy would resolve the
name again.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from services.webhooks.domain.addresses import Target, literal_address

USER_AGENT = "Kanta-Webhooks/1.0 (+https://www.standardwebhooks.com/)"


@dataclass(frozen=True)
class HttpOutcome:
    """What one POST gave: a status (None without an answer), or the error."""

    status_code: int | None
    duration_ms: int
    retry_after: str | None = None
    excerpt: str | None = None
    error: str | None = None


class WebhookClient:
    """POSTs webhook bodies; `transport` lets a test see (or forbid) every connection."""

    def __init__(
        self,
        *,
        timeout_s: float,
        excerpt_bytes: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout_s = timeout_s
        self._excerpt_bytes = excerpt_bytes
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(max_keepalive_connections=0),
            trust_env=False,
            transport=transport,
        )

    async def post(
        self, target: Target, address: str, *, headers: dict[str, str], body: bytes
    ) -> HttpOutcome:
        """POST `body` to `target`, connecting to `address`; the whole try within the timeout."""
        extensions: dict[str, str] = {}
        if target.scheme == "https" and literal_address(target.host) is None:
            extensions["sni_hostname"] = target.host
        request_headers = {**headers, "Host": target.host_header}
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._timeout_s):
                async with self._client.stream(
                    "POST",
                    target.url_for(address),
                    content=body,
                    headers=request_headers,
                    extensions=extensions,
                ) as response:
                    excerpt = await self._excerpt(response)
        except TimeoutError:
            return HttpOutcome(None, _ms(started), error=f"no answer within {self._timeout_s:g} s")
        except httpx.HTTPError as exc:
            return HttpOutcome(None, _ms(started), error=f"{type(exc).__name__}: {exc}"[:500])
        return HttpOutcome(
            response.status_code,
            _ms(started),
            retry_after=response.headers.get("retry-after"),
            excerpt=excerpt,
        )

    async def _excerpt(self, response: httpx.Response) -> str:
        """The start of the response body (at most `excerpt_bytes`); the rest is not read."""
        if self._excerpt_bytes == 0:
            return ""
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= self._excerpt_bytes:
                break
        return b"".join(chunks)[: self._excerpt_bytes].decode("utf-8", errors="replace")

    async def close(self) -> None:
        await self._client.aclose()


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
