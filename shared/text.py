"""The one text type of the API: normalised, bounded, and free of characters that poison.

Every request field, query and path parameter that takes text uses `SafeLine` (one line: a
name, a title, a code) or `SafeText` (free text with line breaks: a note, a reason); a field
with another bound narrows it (`Annotated[SafeLine, StringConstraints(max_length=64)]`).
Both are NFC-normalised and stripped, bounded in length, and refuse control characters (C0,
C1 and NUL), lone surrogates, and the bidirectional overrides that make text read other than
it is. A `SafeLine` also refuses CR, LF, TAB and the Unicode line and paragraph separators, so a
value can never forge a line of a mail or a header. A violation is a 422 naming the field.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# Bidirectional embeddings, overrides and isolates (Unicode TR9).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\u2028\u2029")


def _refusal(char: str, *, line: bool) -> str | None:
    if char in _BIDI_CONTROLS:
        return "a bidirectional control character"
    category = unicodedata.category(char)
    if category == "Cs":
        return "an unpaired surrogate"
    if char in "\r\n\t" or char in _LINE_BREAKS:
        return "a line break or tab, which this one-line field cannot hold" if line else None
    if category == "Cc":
        return "a control character"
    return None


def clean_text(value: str, *, line: bool) -> str:
    """`value` NFC-normalised; ValueError naming the first character it may not hold."""
    if not line:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    for index, char in enumerate(value):
        reason = _refusal(char, line=line)
        if reason is not None:
            raise ValueError(
                f"the text holds {reason} (U+{ord(char):04X}) at position {index + 1}; remove it"
            )
    return unicodedata.normalize("NFC", value)


LINE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 2000


def _bounded(value: str, *, line: bool, max_length: int) -> str:
    """Cleaned, then stripped and measured as it will be stored (NFC may change the length)."""
    value = clean_text(value, line=line).strip()
    if not value:
        raise ValueError("the text is empty or white space only")
    if len(value) > max_length:
        raise ValueError(
            f"the text is {len(value)} characters long once normalised; at most {max_length}"
        )
    return value


def _line(value: str) -> str:
    return _bounded(value, line=True, max_length=LINE_MAX_LENGTH)


def _paragraphs(value: str) -> str:
    return _bounded(value, line=False, max_length=TEXT_MAX_LENGTH)


# The constraints come first: they strip and bound the raw value (and document the bounds in
# the OpenAPI schema); the validator then judges, normalises and measures what is stored, so
# that a stored value passes validation again unchanged.
SafeLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_MAX_LENGTH),
    AfterValidator(_line),
]
"""A one-line text of at most 200 characters: names, titles, codes, query values."""

SafeText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX_LENGTH),
    AfterValidator(_paragraphs),
]
"""Free text of at most 2,000 characters: notes, reasons, descriptions."""
