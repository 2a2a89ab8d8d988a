"""The webhooks service's problem codes: each written once, with status and example."""

from __future__ import annotations

from shared.problems import ProblemType

EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

SUBSCRIPTION_NOT_FOUND = ProblemType(
    "subscription_not_found",
    404,
    f"No webhook subscription {EXAMPLE_ID}.",
)
WEBHOOK_DELIVERY_NOT_FOUND = ProblemType(
    "webhook_delivery_not_found",
    404,
    f"No delivery {EXAMPLE_ID} of this subscription.",
)
WEBHOOK_URL_REFUSED = ProblemType(
    "webhook_url_refused",
    422,
    "https://hooks.example.fi/kanta resolves to 10.0.0.5, a private address; webhooks go "
    "only to public addresses.",
    field="url",
)
UNKNOWN_EVENT_TYPE = ProblemType(
    "unknown_event_type",
    422,
    "session.published is not an event type a subscription can take; see the OpenAPI "
    "document's `webhooks`.",
    field="event_types",
)
TOO_MANY_SUBSCRIPTIONS = ProblemType(
    "too_many_subscriptions",
    409,
    "The organisation has 10 webhook subscriptions already; delete one first.",
)
DELIVERY_IN_PROGRESS = ProblemType(
    "delivery_in_progress",
    409,
    "This delivery is still being attempted; redeliver it once it has succeeded or failed.",
)
SUBSCRIPTION_NOT_ACTIVE = ProblemType(
    "subscription_not_active",
    409,
    "The subscription is disabled (the endpoint answered 410 Gone); resume it with "
    '`PATCH {"paused": false}` before redelivering.',
)
