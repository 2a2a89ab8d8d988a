"""#20 item 1: liveness is the process, readiness the database; broker and relay are reported.

The broker outage itself runs against the real RabbitMQ in
`tests/integration/test_broker_outage.py`; here the in-memory broker stands in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY

from services.registration.main import create_app
from services.registration.settings import RegistrationSettings
from shared.db import create_engine
from tests.support import eventually, running

pytestmark = pytest.mark.asyncio


async def test_readiness_reports_the_database_and_the_broker_and_relay_as_fields(
    fast_settings: Callable[..., Any],
) -> None:
    app = create_app(fast_settings(RegistrationSettings))
    async with running(app) as client:
        live = await client.get("/healthz")
        assert live.status_code == 200
        assert live.json() == {"status": "ok", "checks": {}}

        async def relay_passed() -> bool:
            body = (await client.get("/readyz")).json()
            return bool(body["relay"]["last_success_at"])

        await eventually(relay_passed, timeout=5, what="a relay pass")
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        body = ready.json()
        assert body["status"] == "ok"
        assert body["checks"] == {"database": "ok"}  # the broker is not a readiness check
        assert body["broker"] == "connected"
        assert body["relay"]["status"] == "ok"
        assert body["relay"]["last_error"] is None

        metrics = (await client.get("/metrics")).text
        assert 'broker_connected{service="registration"} 1.0' in metrics
        assert 'outbox_relay_running{service="registration"} 1.0' in metrics
        assert 'outbox_relay_last_success_timestamp_seconds{service="registration"}' in metrics

        # The broker goes away (the in-memory one has no outage of its own): still ready.
        app.state.runtime.broker._started = False
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["broker"] == "unreachable"
        assert ready.json()["relay"]["status"] == "waiting_for_broker"
        assert REGISTRY.get_sample_value("broker_connected", {"service": "registration"}) == 0.0
        app.state.runtime.broker._started = True
    assert REGISTRY.get_sample_value("outbox_relay_running", {"service": "registration"}) == 0.0


async def test_readiness_is_503_when_the_database_is_not_reachable(
    fast_settings: Callable[..., Any],
) -> None:
    app = create_app(fast_settings(RegistrationSettings))
    async with running(app) as client:
        runtime = app.state.runtime
        engine = runtime.engine
        # A database nobody listens on (port 9 on loopback: refused at once).
        runtime.engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")
        try:
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["status"] == "unavailable"
            assert ready.json()["checks"]["database"].startswith("unreachable: ")
            assert (await client.get("/healthz")).status_code == 200  # the process only
        finally:
            await runtime.engine.dispose()
            runtime.engine = engine
