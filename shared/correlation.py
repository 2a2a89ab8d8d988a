"""What a correlation id may be, the same on the HTTP path and in an event's envelope.

A correlation id travels into log lines, AMQP properties and mail headers, so it is one
printable line of at most 200 characters: no CR, LF, TAB, NUL or any other control,
format or separator character (`str.isprintable`; the ASCII space is allowed).
"""

from __future__ import annotations

CORRELATION_ID_MAX_LENGTH = 200


def is_valid_correlation_id(value: str) -> bool:
    """Whether `value` may be used as a correlation id as it is."""
    return 0 < len(value) <= CORRELATION_ID_MAX_LENGTH and value.isprintable()


def check_correlation_id(value: str) -> str:
    """`value` unchanged, or ValueError saying why it cannot be a correlation id."""
    if not is_valid_correlation_id(value):
        raise ValueError(
            "a correlation id is 1 to 200 printable characters on one line "
            "(no control, line-break or format characters)"
        )
    return value
