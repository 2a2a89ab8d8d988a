"""Participants' calendar feeds: one per person (by email), its token kept only as a hash."""

from __future__ import annotations

import secrets

from services.scheduling.app.policy import Policy
from services.scheduling.app.ports import SchedulingUoW
from services.scheduling.domain.feeds import hash_token
from shared.clock import Clock


async def feed_url(uow: SchedulingUoW, policy: Policy, *, email: str, clock: Clock) -> str:
    """The participant's feed URL, creating the feed on first use (only its hash is kept)."""
    feed = await uow.feeds.get(email=email)
    if feed is None:
        salt = secrets.token_hex(16)
        token = policy.feed_token(email=email, salt=salt)
        feed = await uow.feeds.add_once(
            email=email, salt=salt, token_hash=hash_token(token), now=clock.now()
        )
    return policy.feed_url(policy.feed_token(email=email, salt=feed.salt))
