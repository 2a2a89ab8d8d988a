"""A minimal raw asyncio HTTP/1.1 endpoint to check load generators against (no framework).

    python -m bench._http201 --port 8080

`POST` anything: 201 when the body is JSON whose `organisation.business_id` is a valid
Y-tunnus not seen before and the request has a bearer token; 409 for a business ID seen
before, 400 for an invalid body, 401 without a token. `GET /stats` answers the counts so
far. Keep-alive, Content-Length bodies only (what wrk sends).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from typing import ClassVar

Y_TUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 409: "Conflict"}


def valid_business_id(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 9 or value[7] != "-":
        return False
    digits, check = value[:7], value[8]
    if not (digits.isdigit() and check.isdigit()):
        return False
    r = sum(int(d) * w for d, w in zip(digits, Y_TUNNUS_WEIGHTS, strict=True)) % 11
    return r != 1 and int(check) == (0 if r == 0 else 11 - r)


class _Endpoint(asyncio.Protocol):
    seen: ClassVar[set[str]] = set()  # shared by every connection
    counts: ClassVar[Counter[str]] = Counter()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            fields = dict(line.split(":", 1) for line in head[1:] if ":" in line)
            fields = {k.strip().lower(): v.strip() for k, v in fields.items()}
            length = int(fields.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            status, answer = self.answer(head[0], fields, body)
            if not head[0].startswith("GET /stats"):
                self.counts[str(status)] += 1
            self.transport.write(
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(answer)}\r\n\r\n".encode()
                + answer
            )

    def answer(self, line: str, fields: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if line.startswith("GET /stats"):
            return 200, json.dumps(dict(self.counts)).encode()
        if not fields.get("authorization", "").startswith("Bearer "):
            return 401, b'{"title":"no token"}'
        try:
            business_id = json.loads(body)["organisation"]["business_id"]
        except (ValueError, KeyError, TypeError):
            return 400, b'{"title":"not a form"}'
        if not valid_business_id(business_id):
            return 400, b'{"title":"invalid business ID"}'
        if business_id in self.seen:
            return 409, b'{"title":"duplicate"}'
        self.seen.add(business_id)
        return 201, b'{"state":"submitted"}'


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(_Endpoint, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    asyncio.run(serve(parser.parse_args().port))
