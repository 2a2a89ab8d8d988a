"""The one place where the notifications service's rows become response models."""

from __future__ import annotations

from services.notifications.app.ports import MailRecord, SuppressionRecord
from services.notifications.app.schemas import DeliveryDetail, DeliveryPublic, SuppressionPublic


def delivery_public(mail: MailRecord) -> DeliveryPublic:
    """A mail's delivery record, without its bodies and claim fields."""
    return DeliveryPublic.model_validate(mail, from_attributes=True)


def delivery_detail(mail: MailRecord) -> DeliveryDetail:
    """A mail's delivery record with the message as rendered."""
    return DeliveryDetail(
        **delivery_public(mail).model_dump(),
        text=mail.body_text,
        html=mail.body_html,
        calendar=mail.calendar,
    )


def suppression_public(suppression: SuppressionRecord) -> SuppressionPublic:
    """Why an address is suppressed."""
    return SuppressionPublic.model_validate(suppression, from_attributes=True)
