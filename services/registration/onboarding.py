"""`onboarding`: create API clients for organisations and Kela staff.

    onboarding clients create --organisation 2077474-0 [--name "Esimerkki Terveys Oy"]
    onboarding clients create --staff [--name "Kela scheduling"]
    onboarding clients disable <client_id>

`create` prints `{"client_id": …, "client_secret": …}` as JSON. The secret is shown only
now; the database keeps its digest. The registration service's database is the one of its
settings (REGISTRATION_DATABASE_URL / DATABASE_URL); pending migrations are applied first.
"""

from __future__ import annotations

import argparse
import asyncio
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


def main(argv: list[str] | None = None) -> int:
    """The `onboarding` command; returns its exit status."""
    parser = argparse.ArgumentParser(prog="onboarding", description=__doc__.split("\n")[0])
    groups = parser.add_subparsers(dest="group", required=True)
    clients = groups.add_parser("clients", help="API clients (OAuth2 client credentials)")
    verbs = clients.add_subparsers(dest="verb", required=True)
    new = verbs.add_parser("create", help="create a client and print its credentials")
    who = new.add_mutually_exclusive_group(required=True)
    who.add_argument("--organisation", metavar="Y-TUNNUS", help="business ID it is bound to")
    who.add_argument("--staff", action="store_true", help="a Kela staff client")
    new.add_argument("--name", help="a label shown in logs and history")
    new.add_argument("--client-id", help="reuse this id (its secret is replaced)")
    off = verbs.add_parser("disable", help="refuse tokens to a client from now on")
    off.add_argument("client_id")
    args = parser.parse_args(argv)

    settings = load_settings(RegistrationSettings)
    if args.verb == "disable":
        if not asyncio.run(disable(settings.database_url, args.client_id)):
            print(f"onboarding: no client {args.client_id!r}", file=sys.stderr)
            return 1
        print(json.dumps({"client_id": args.client_id, "disabled": True}))
        return 0
    role: Role = "staff" if args.staff else "organisation"
    try:
        credentials = asyncio.run(
            create(
                settings.database_url,
                role=role,
                business_id=args.organisation,
                name=args.name,
                client_id=args.client_id,
            )
        )
    except InvalidBusinessId as exc:
        print(f"onboarding: {exc}", file=sys.stderr)
        return 2
    print(
        json.dumps({"client_id": credentials.client_id, "client_secret": credentials.client_secret})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
