"""Apply or write migrations: `python -m services.migrate upgrade [service …]`,
`python -m services.migrate revision <service> -m "message"` (autogenerate)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
from pathlib import Path

from alembic import command

from shared.db import create_engine
from shared.migrations import alembic_config, upgrade_to_head
from shared.settings import ServiceSettings

SERVICES = ("registration", "scheduling", "notifications", "webhooks")


def settings_for(service: str) -> ServiceSettings:
    module = importlib.import_module(f"services.{service}.settings")
    cls = getattr(module, f"{service.capitalize()}Settings")
    settings: ServiceSettings = cls()
    return settings


def _migrations(service: str) -> Path:
    return Path(__file__).parent / service / "migrations"


async def _upgrade(service: str) -> None:
    engine = create_engine(settings_for(service).database_url)
    try:
        await upgrade_to_head(engine, _migrations(service))
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    """Entry point of `kanta-migrate`."""
    parser = argparse.ArgumentParser(prog="kanta-migrate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade", help="apply pending migrations")
    up.add_argument("services", nargs="*", choices=SERVICES, default=[], metavar="service")
    rev = sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("service", choices=SERVICES)
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        for service in args.services or SERVICES:
            asyncio.run(_upgrade(service))
            print(f"{service}: migrated to head")
    else:
        importlib.import_module(f"services.{args.service}.adapters.tables")
        config = alembic_config(_migrations(args.service))
        command.revision(config, message=args.message, autogenerate=True)


if __name__ == "__main__":
    main()
