"""Participants' calendar feeds: one per person (by email), its token kept only as a hash."""

from __future__ import annotations

import secrets

from services.scheduling import repository
from services.scheduling.models import Feed
from services.scheduling.policy import Policy, hash_token
from shared.types import utcnow
from shared.uow import UnitOfWork


async def feed_url(uow: UnitOfWork, policy: Policy, *, email: str) -> str:
    """The participant's feed URL, creating the feed on first use (only its hash is kept)."""
    feed = await repository.get_feed(uow.session, email=email)
    if feed is None:
        salt = secrets.token_hex(16)
        token = policy.feed_token(email=email, salt=salt)
        feed = await repository.add_feed_once(
            uow.session,
            feed=Feed(email=email, salt=salt, token_hash=hash_token(token), created_at=utcnow()),
        )
    return policy.feed_url(policy.feed_token(email=email, salt=feed.salt))
