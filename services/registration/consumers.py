"""Events the registration service consumes.

None yet: the period read model (`period.*` from scheduling) arrives with the registration form.
"""

from __future__ import annotations

from shared.runtime import ConsumerSpec


def consumer_specs() -> list[ConsumerSpec]:
    """The registration service's work queues and their handlers."""
    return []
