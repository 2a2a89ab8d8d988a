"""The event payload models of every service, one module per producing service.

Importing this package registers every model with `shared.events.parse_payload`.
"""

from shared.contracts import registration, scheduling

__all__ = ["registration", "scheduling"]
