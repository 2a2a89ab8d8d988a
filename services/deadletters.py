"""Staff's view of a consumer's dead-letter queue.

    kanta-dead-letters list <service> <consumer> [--limit N]
    kanta-dead-letters replay <service> <consumer> [--event-id ID ...]

Reads the service's settings (AMQP_URL, QUEUE_PREFIX) like the service itself does.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json

import aio_pika

from services.migrate import SERVICES, settings_for
from shared.messaging.deadletters import read_dead_letters, replay_dead_letters
from shared.messaging.topology import queue_names


async def _run(args: argparse.Namespace) -> None:
    settings = settings_for(args.service)
    names = queue_names(settings.queue_prefix, settings.service_name, args.consumer)
    connection = await aio_pika.connect(settings.amqp_url, timeout=10)
    async with connection:
        if args.command == "list":
            for letter in await read_dead_letters(connection, names, limit=args.limit):
                print(json.dumps(dataclasses.asdict(letter), ensure_ascii=False))
        else:
            ids = set(args.event_id) if args.event_id else None
            replayed = await replay_dead_letters(connection, names, event_ids=ids)
            print(json.dumps({"replayed": replayed, "to": names.work}))


def main(argv: list[str] | None = None) -> None:
    """Entry point of `kanta-dead-letters`."""
    parser = argparse.ArgumentParser(prog="kanta-dead-letters", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("list", "replay"):
        cmd = sub.add_parser(command)
        cmd.add_argument("service", choices=SERVICES)
        cmd.add_argument("consumer", help="the consumer's name, e.g. registrations")
        if command == "list":
            cmd.add_argument("--limit", type=int, default=100)
        else:
            cmd.add_argument("--event-id", action="append", help="replay only these (repeatable)")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_run(args))
    except aio_pika.exceptions.ChannelNotFoundEntity:
        raise SystemExit(
            f"kanta-dead-letters: {args.service} has no consumer queue {args.consumer!r} under "
            "this QUEUE_PREFIX (has the service run with these settings?)"
        ) from None


if __name__ == "__main__":
    main()
