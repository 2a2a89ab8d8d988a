"""The webhooks service: signed HTTP deliveries of events to organisations' own systems.

Why a service of its own, beside registration, scheduling and notifications: delivery is an
outbound, retrying, rate-shaping workload with state of its own (subscriptions and their
encrypted secrets, scheduled attempts, the delivery log) and a scaling of its own (replicas
that wait on slow or dead receivers must not hold the intake's database connections or
event loop). It needs nothing from the other services but the events they already publish,
exactly like notifications: it keeps a small read model (whose registration is whose) and
fans each event out to the subscriptions of the organisation it concerns. Putting it in the
registration service would let a receiver that hangs for 15 s per attempt slow down the
service organisations submit through, and would tie webhook retries to registration's
deploys and database.

Rooms as in every service (ARCHITECTURE.md): `domain/` (signing, the retry schedule, the
address rules, the event catalogue), `app/` (the API's use cases, the consumers' fan-out and
the sender loop), `adapters/` (tables, repositories, the secret box, DNS and HTTP), `api/`.
"""
