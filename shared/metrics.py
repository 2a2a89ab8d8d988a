"""Prometheus metrics every service exposes at `/metrics` (labelled by service)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_PUBLISHED = Counter(
    "events_published_total",
    "Events published from the outbox and confirmed",
    ["service", "event_type"],
)
EVENTS_PUBLISH_FAILED = Counter(
    "events_publish_failed_total",
    "Outbox publishes that failed and stay pending",
    ["service", "reason"],
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events consumed and applied", ["service", "consumer", "event_type"]
)
EVENTS_DUPLICATE = Counter(
    "events_duplicate_total", "Events skipped because the inbox had them", ["service", "consumer"]
)
EVENTS_RETRIED = Counter(
    "events_retried_total", "Events sent to the retry queue", ["service", "consumer", "event_type"]
)
EVENTS_DEAD_LETTERED = Counter(
    "events_dead_lettered_total",
    "Events sent to the dead-letter queue",
    ["service", "consumer", "reason"],
)
CONSUMER_BATCH_EVENTS = Histogram(
    "consumer_batch_events",
    "Deliveries applied together in one consumer transaction",
    ["service", "consumer"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
BROKER_CONNECTED = Gauge(
    "broker_connected",
    "1 while the service's broker connection is open, 0 during an outage (read at scrape time)",
    ["service"],
)
RELAY_RUNNING = Gauge(
    "outbox_relay_running",
    "1 while the outbox relay's loop runs (read at scrape time)",
    ["service"],
)
RELAY_LAST_SUCCESS = Gauge(
    "outbox_relay_last_success_timestamp_seconds",
    "When the outbox relay last completed a pass with the broker up and no publish failed",
    ["service"],
)
