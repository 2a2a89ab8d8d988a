"""What the notifications use cases return, and the API answers with: delivery records."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from services.notifications.domain.mail import MailStatus
from shared.paging import Page


class DeliveryPublic(BaseModel):
    """A mail's delivery record as the API lists it (bodies and claim fields stay inside)."""

    id: uuid.UUID
    status: MailStatus
    attempts: int = Field(examples=[1])
    last_reply: str | None = Field(examples=["250 Message accepted for delivery"])
    recipient: str = Field(examples=["maija@example.fi"])
    template: str = Field(examples=["registration_received"])
    language: str = Field(examples=["fi"])
    subject: str = Field(examples=["Ilmoittautumisenne on vastaanotettu – Esimerkki Terveys Oy"])
    message_id: str = Field(examples=["<0b6f3c1e-7a3d-5c55-9f0e-2d1c4b8a9e71@kanta.example>"])
    registration_id: uuid.UUID | None
    business_id: str | None = Field(examples=["2077474-0"])
    calendar_method: str | None = Field(
        description="METHOD of the attached calendar object (iMIP), if any",
        examples=["REQUEST"],
    )
    resend_of: uuid.UUID | None = Field(description="The mail this one is a staff resend of")
    correlation_id: str
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None


class DeliveryDetail(DeliveryPublic):
    """One delivery record with the message as rendered: plain text, HTML, calendar object."""

    text: str
    html: str
    calendar: str | None = None


class DeliveryPage(Page[DeliveryPublic]):
    """One page of delivery records; pass `next_cursor` as `cursor` for the next one."""


class SuppressionPublic(BaseModel):
    """An address mail is no longer sent to, and the reply that put it there."""

    email: str = Field(examples=["ei.ole@example.fi"])
    reason: str = Field(examples=["550 5.1.1 no such user"])
    created_at: datetime
