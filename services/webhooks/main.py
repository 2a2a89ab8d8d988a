"""Composition root of the webhooks service (ASGI factory `main:create_app`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from services.webhooks.adapters.http import WebhookClient
from services.webhooks.adapters.resolver import AddressCheck, Resolver
from services.webhooks.adapters.secret_box import SecretBox
from services.webhooks.adapters.tables import messaging, metadata
from services.webhooks.adapters.uow import WebhooksUnitOfWork
from services.webhooks.api import deliveries, subscriptions
from services.webhooks.api.openapi import add_webhooks
from services.webhooks.app.ports import AddressCheckPort, SecretBoxPort, WebhooksUnitOfWorkPort
from services.webhooks.app.sender import WebhookSender
from services.webhooks.consumers import consumer_specs
from services.webhooks.settings import WebhooksSettings
from shared.app import create_service_app
from shared.clock import Clock
from shared.loops import Doorbell
from shared.runtime import Runtime
from shared.settings import ServiceSettings, load_settings

MIGRATIONS = Path(__file__).parent / "migrations"

# The routes' use cases name these by protocol; the adapters must satisfy them.
_UOW: type[WebhooksUnitOfWorkPort] = WebhooksUnitOfWork
_BOX: type[SecretBoxPort] = SecretBox
_CHECK: type[AddressCheckPort] = AddressCheck


def address_check(settings: WebhooksSettings, resolver: Resolver | None = None) -> AddressCheck:
    """The SSRF check of the settings (`resolver`: a test's own DNS)."""
    return AddressCheck(
        allow_http=settings.webhook_allow_http,
        check_addresses=settings.webhook_check_addresses,
        resolver=resolver,
    )


def build_runtime(
    settings: ServiceSettings, clock: Clock, *, doorbell: Doorbell | None = None
) -> Runtime[WebhooksUnitOfWork]:
    """Wire the service's tables, consumers and broker from its settings.

    `doorbell` wakes the sender after a commit that queued deliveries.
    """
    if not isinstance(settings, WebhooksSettings):
        raise TypeError(f"the webhooks service needs WebhooksSettings, not {settings!r}")
    bell = doorbell or Doorbell()
    return Runtime(
        settings=settings,
        metadata=metadata,
        tables=messaging,
        migrations=MIGRATIONS,
        uow_class=WebhooksUnitOfWork,
        clock=clock,
        consumer_specs=consumer_specs(settings=settings, clock=clock, on_queued=bell.ring),
    )


def create_app(
    settings: WebhooksSettings | None = None,
    *,
    clock: Clock | None = None,
    resolver: Resolver | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The webhooks service's ASGI app; settings are read here, not at import.

    `resolver` and `transport` are a test's DNS and HTTP (the real ones otherwise).
    """
    config = settings or load_settings(WebhooksSettings)
    doorbell = Doorbell()
    box = SecretBox(config.fernet_keys)
    check = address_check(config, resolver)

    def runtime_for(settings: ServiceSettings, clock: Clock) -> Runtime[WebhooksUnitOfWork]:
        return build_runtime(settings, clock, doorbell=doorbell)

    async def start_sender(runtime: Runtime[WebhooksUnitOfWork]) -> None:
        client = WebhookClient(
            timeout_s=config.webhook_timeout_s,
            excerpt_bytes=config.webhook_response_excerpt_bytes,
            transport=transport,
        )
        app.state.webhook_client = client
        sender = WebhookSender(
            uow_factory=runtime.uow,
            settings=config,
            clock=runtime.clock,
            client=client,
            addresses=check,
            box=box,
        )
        app.state.sender = sender
        runtime.run_loop(
            "webhook-sender",
            sender.one_pass,
            interval_s=config.webhook_poll_interval_s,
            doorbell=doorbell,
        )

    app = create_service_app(
        settings=config,
        build_runtime=runtime_for,
        routers=[subscriptions.router, deliveries.router],
        title="Kanta deployment periods: webhooks",
        description=(
            "Signed webhooks to organisations' own systems: an organisation subscribes an "
            "HTTPS endpoint to the events of its own registrations, notices, deployment tests, "
            "customership and its contacts' enrolments, and each event is POSTed to it, signed "
            "by Standard Webhooks 1.0, with retries over about a day and a half. Staff see "
            "every subscription; an organisation sees its own. Errors are RFC 9457 problem "
            "details with a stable `code`. The payloads are under `webhooks`."
        ),
        on_started=start_sender,
        clock=clock,
    )
    app.state.doorbell = doorbell
    app.state.secret_box = box
    app.state.address_check = check
    _document_webhooks(app, config)
    return app


def _document_webhooks(app: FastAPI, settings: WebhooksSettings) -> None:
    """Wrap the app's OpenAPI (problem details already) to add the OpenAPI 3.1 `webhooks`."""
    problem_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        schema = problem_openapi()
        if "webhooks" not in schema:
            add_webhooks(schema, base_urls=settings.base_urls)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
