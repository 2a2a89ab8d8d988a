"""HTTP routes of the notifications service: thin, they call handlers and return models."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.notifications import handlers
from services.notifications.models import DeliveryPublic
from shared.app import UoW
from shared.http import Problem

router = APIRouter(prefix="/v1", tags=["deliveries"])

PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
MAX_LIST = 100


@router.get(
    "/deliveries/{delivery_id}",
    response_model=DeliveryPublic,
    summary="Read one mail's delivery record",
    responses={
        404: {
            **PROBLEM,
            "description": "No such delivery",
            "content": {
                "application/problem+json": {
                    "example": {
                        "type": "https://kanta.example/problems/delivery_not_found",
                        "title": "Not found",
                        "status": 404,
                        "code": "delivery_not_found",
                        "detail": "No delivery 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
                    }
                }
            },
        }
    },
)
async def read_delivery(delivery_id: uuid.UUID, uow: UoW) -> DeliveryPublic:
    """Status, attempts and the server's last reply for one mail."""
    return await handlers.get_delivery(delivery_id, uow)


@router.get(
    "/deliveries",
    response_model=list[DeliveryPublic],
    summary="List the delivery records of a registration's mails",
)
async def list_deliveries(
    uow: UoW,
    registration_id: Annotated[uuid.UUID, Query(description="The registration of the mails")],
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = MAX_LIST,
) -> list[DeliveryPublic]:
    """A registration's mails, oldest first, at most `limit` of them."""
    return await handlers.list_deliveries(registration_id, uow, limit=limit)
