"""The event payload models of every service, one module per producing service.

Importing this package registers every model with `shared.events.parse_payload`.
"""

from shared.contracts import extension, registration, scheduling, webhooks

__all__ = ["extension", "registration", "scheduling", "webhooks"]
