"""Persistence of API clients (the OAuth2 client-credentials grant)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
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

    async def list_all(self) -> Sequence[ApiClient]:
        """Every client, in id order (operators' `clients list`)."""
        return (
            await self._session.exec(select(ApiClient).order_by(col(ApiClient.client_id)))
        ).all()
