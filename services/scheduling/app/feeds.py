"""Participants' calendar feeds: one per contact of a registration (#15), kept as a hash.

A feed is bound to the registration that seated the person, not to an email address alone:
an organisation that enters another organisation's contact's address gets a feed of its own
registration's seats only. It is revoked when the contact leaves the registration (or the
registration stops holding seats), and staff can rotate it (the old URL stops working).
"""

from __future__ import annotations

import secrets
import uuid

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.app.schemas import FeedPublic
from services.scheduling.domain import errors
from services.scheduling.domain.feeds import hash_token
from shared.clock import Clock


async def _new_feed(
    uow: SchedulingUoW, policy: Policy, *, registration_id: uuid.UUID, email: str, clock: Clock
) -> str:
    salt = secrets.token_hex(16)
    token = policy.feed_token(registration_id=registration_id, email=email, salt=salt)
    feed = await uow.feeds.add_once(
        registration_id=registration_id,
        email=email,
        salt=salt,
        token_hash=hash_token(token),
        now=clock.now(),
    )
    return policy.feed_token(registration_id=registration_id, email=email, salt=feed.salt)


async def feed_url(
    uow: SchedulingUoW,
    policy: Policy,
    *,
    registration_id: uuid.UUID,
    email: str,
    clock: Clock,
) -> str:
    """The contact's feed URL, creating the feed on first use (only its hash is kept)."""
    email = email.lower()
    feed = await uow.feeds.get(registration_id=registration_id, email=email)
    if feed is None:
        token = await _new_feed(
            uow, policy, registration_id=registration_id, email=email, clock=clock
        )
    else:
        token = policy.feed_token(registration_id=registration_id, email=email, salt=feed.salt)
    return policy.feed_url(token)


async def rotate_feed(
    registration_id: uuid.UUID, email: str, uow: SchedulingUoW, policy: Policy, *, clock: Clock
) -> FeedPublic:
    """Staff: a new feed token for one contact of a registration; the old URL stops working."""
    email = email.lower()
    async with uow:
        registration = await uow.registrations.get(registration_id=registration_id, lock=True)
        if registration is None:
            raise errors.REGISTRATION_NOT_FOUND(
                f"Scheduling has no registration {registration_id}."
            )
        emails = {str(p.get("email", "")).lower() for p in registration.participants}
        if email not in emails:
            raise errors.FEED_CONTACT_UNKNOWN(
                f"{email} is not a participating contact of registration {registration_id}.",
                field="email",
            )
        await uow.feeds.revoke(
            registration_id=registration_id, now=clock.now(), keep=emails - {email}
        )
        await uow.flush()
        token = await _new_feed(
            uow, policy, registration_id=registration_id, email=email, clock=clock
        )
        await uow.commit()
    return FeedPublic(registration_id=registration_id, email=email, feed_url=policy.feed_url(token))
