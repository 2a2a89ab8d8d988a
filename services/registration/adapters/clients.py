"""Persistence of API clients (the OAuth2 client-credentials grant)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.registration.adapters.tables import ApiClient


class ClientRepository:
    """API clients by id; their secrets are stored as digests only."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def new(self, **values: Any) -> ApiClient:
        """A new client, added."""
        client = ApiClient(**values)
        self._session.add(client)
        return client

    async def get(self, *, client_id: str) -> ApiClient | None:
        """The client with this id, enabled or not."""
        return await self._session.get(ApiClient, client_id)
