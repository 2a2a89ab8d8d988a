"""The lifecycle of a registration: its states, what may be done in each, and what follows."""

from __future__ import annotations

from enum import StrEnum


class RegistrationState(StrEnum):
    """Where a registration is in its review and deployment."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RETURNED = "returned"
    MOVED = "moved"
    WITHDRAWN = "withdrawn"
    DEPLOYED = "deployed"
    COMPLETED = "completed"


class Action(StrEnum):
    """What staff or the organisation do to a registration."""

    EDIT = "edit"
    ACCEPT = "accept"
    REJECT = "reject"
    RETURN = "return"
    MOVE = "move"
    WITHDRAW = "withdraw"
    DEPLOY = "deploy"
    COMPLETE = "complete"


S = RegistrationState
# `moved` is an accepted registration now in another period: it behaves as accepted.
OPEN_STATES = frozenset({S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.MOVED})
# Rejected and withdrawn registrations no longer hold their organisation+service+period.
INACTIVE_STATES = frozenset({S.REJECTED, S.WITHDRAWN})

TRANSITIONS: dict[tuple[RegistrationState, Action], RegistrationState] = {
    # An edit sends an accepted, moved or returned registration back to review.
    **{(state, Action.EDIT): S.SUBMITTED for state in OPEN_STATES},
    **{(state, Action.WITHDRAW): S.WITHDRAWN for state in OPEN_STATES},
    (S.SUBMITTED, Action.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Action.REJECT): S.REJECTED,
    (S.SUBMITTED, Action.RETURN): S.RETURNED,
    (S.ACCEPTED, Action.MOVE): S.MOVED,
    (S.MOVED, Action.MOVE): S.MOVED,
    (S.ACCEPTED, Action.DEPLOY): S.DEPLOYED,
    (S.MOVED, Action.DEPLOY): S.DEPLOYED,
    (S.DEPLOYED, Action.COMPLETE): S.COMPLETED,
}


class InvalidTransition(ValueError):
    """The action is not possible from the registration's state."""

    def __init__(self, state: RegistrationState, action: Action) -> None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s == state)
        super().__init__(
            f"A registration in state {state.value!r} cannot be {_past(action)}"
            + (f"; possible now: {', '.join(allowed)}." if allowed else "; it is closed.")
        )
        self.state = state
        self.action = action


def _past(action: Action) -> str:
    return {
        Action.EDIT: "edited",
        Action.ACCEPT: "accepted",
        Action.REJECT: "rejected",
        Action.RETURN: "returned",
        Action.MOVE: "moved",
        Action.WITHDRAW: "withdrawn",
        Action.DEPLOY: "marked deployed",
        Action.COMPLETE: "completed",
    }[action]


def next_state(state: RegistrationState, action: Action) -> RegistrationState:
    """The state after `action`, or raise InvalidTransition."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None
