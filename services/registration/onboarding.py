"""`onboarding`: create and look after the API clients of organisations and Kela staff.

    onboarding clients create --organisation 2077474-0 [--name "Esimerkki Terveys Oy"]
    onboarding clients create --staff [--name "Kela scheduling"] [--client-id staff-ops]
    onboarding clients rotate-secret <client_id>
    onboarding clients list
    onboarding clients show <client_id>
    onboarding clients disable <client_id>
    onboarding clients enable <client_id>

`create` and `rotate-secret` print `{"client_id": …, "client_secret": …}` as JSON: the secret is
shown only now, the database keeps its digest. `create` refuses an id that exists (enabled or
disabled: it never rebinds a client nor re-enables one); `rotate-secret` changes the secret
only; enabling and disabling are their own commands. `list` prints one JSON object a line,
`show` one; neither shows a secret. Exit status: 0 done, 1 no such client or the id is taken,
2 invalid input. The registration service's database is the one of its settings
(REGISTRATION_DATABASE_URL / DATABASE_URL); pending migrations are applied first.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from services.registration.adapters.tables import messaging
from services.registration.adapters.uow import RegistrationUnitOfWork
from services.registration.app import clients
from services.registration.app.clients import Credentials
from services.registration.domain.identifiers import InvalidBusinessId
from services.registration.settings import RegistrationSettings
from shared.auth import Role
from shared.clock import SystemClock
from shared.db import create_engine, session_factory
from shared.migrations import upgrade_to_head
from shared.settings import load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
CLOCK = SystemClock()


@asynccontextmanager
async def _unit_of_work(
    database_url: str, *, migrate: bool
) -> AsyncIterator[RegistrationUnitOfWork]:
    """A unit of work on the registration database, its engine disposed afterwards."""
    engine = create_engine(database_url)
    try:
        if migrate:
            await upgrade_to_head(engine, MIGRATIONS)
        yield RegistrationUnitOfWork(
            session_factory(engine), tables=messaging, producer="registration", clock=CLOCK
        )
    finally:
        await engine.dispose()


async def create(
    database_url: str,
    *,
    role: Role,
    business_id: str | None = None,
    name: str | None = None,
    client_id: str | None = None,
) -> Credentials:
    """Migrate the registration database if needed and store a new client."""
    async with _unit_of_work(database_url, migrate=True) as uow:
        return await clients.create_client(
            uow, role=role, clock=CLOCK, business_id=business_id, name=name, client_id=client_id
        )


async def disable(database_url: str, client_id: str) -> bool:
    """Refuse tokens to `client_id` from now on; False when there is no such client."""
    async with _unit_of_work(database_url, migrate=False) as uow:
        return await clients.disable_client(uow, client_id=client_id, clock=CLOCK)


async def _run(database_url: str, args: argparse.Namespace) -> list[dict[str, object]]:
    """The verb's output objects; raises the use cases' errors."""
    async with _unit_of_work(database_url, migrate=True) as uow:
        if args.verb == "create":
            credentials = await clients.create_client(
                uow,
                role="staff" if args.staff else "organisation",
                clock=CLOCK,
                business_id=args.organisation,
                name=args.name,
                client_id=args.client_id,
            )
            return [dataclasses.asdict(credentials)]
        if args.verb == "rotate-secret":
            return [dataclasses.asdict(await clients.rotate_secret(uow, client_id=args.client_id))]
        if args.verb == "list":
            return [dataclasses.asdict(info) for info in await clients.list_clients(uow)]
        if args.verb == "show":
            return [dataclasses.asdict(await clients.show_client(uow, client_id=args.client_id))]
        info = await clients.set_enabled(
            uow, client_id=args.client_id, enabled=args.verb == "enable", clock=CLOCK
        )
        return [dataclasses.asdict(info)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onboarding", description=__doc__.split("\n")[0])
    groups = parser.add_subparsers(dest="group", required=True)
    group = groups.add_parser("clients", help="API clients (OAuth2 client credentials)")
    verbs = group.add_subparsers(dest="verb", required=True)
    new = verbs.add_parser("create", help="create a client and print its credentials")
    who = new.add_mutually_exclusive_group(required=True)
    who.add_argument("--organisation", metavar="Y-TUNNUS", help="business ID it is bound to")
    who.add_argument("--staff", action="store_true", help="a Kela staff client")
    new.add_argument("--name", help="a label shown in logs and history")
    new.add_argument("--client-id", help="the id to give it (refused if it exists)")
    for verb, text in (
        ("rotate-secret", "give a client a new secret (nothing else changes) and print it"),
        ("show", "print one client (never its secret)"),
        ("disable", "refuse tokens to a client from now on"),
        ("enable", "let a disabled client get tokens again"),
    ):
        verbs.add_parser(verb, help=text).add_argument("client_id")
    verbs.add_parser("list", help="print every client, one JSON object a line")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `onboarding` command; returns its exit status."""
    args = _parser().parse_args(argv)
    settings = load_settings(RegistrationSettings)
    try:
        output = asyncio.run(_run(settings.database_url, args))
    except clients.NoSuchClient:
        print(f"onboarding: no client {args.client_id!r}", file=sys.stderr)
        return 1
    except clients.ClientExists as exc:
        print(f"onboarding: {exc}", file=sys.stderr)
        return 1
    except (InvalidBusinessId, ValueError) as exc:
        print(f"onboarding: {exc}", file=sys.stderr)
        return 2
    for item in output:
        print(json.dumps(item))
    return 0


if __name__ == "__main__":
    sys.exit(main())
