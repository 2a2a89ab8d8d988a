"""Values as a plain-text mail may show them: one line each, or a marked block of lines.

Names, places and codes come from other services' events; a CR/LF (or a Unicode line
separator) in one of them would start a line of its own in a plain-text mail, where it could
pass for a real one (`Bcc: …`, a second `Y-tunnus:`). Every value a template prints goes
through `one_line` (the environment's `finalize`), so it stays inside its own line (#15.4);
free text that may hold lines is printed only through `quoted`, every line of it marked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup

# Line breaks of every kind (and the tab): each run of them becomes one space.
_BREAKS = re.compile(r"[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+")
# Bidirectional embeddings, overrides and isolates (Unicode TR9): they make text read other
# than it is.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REPLACEMENT = "\ufffd"


class Block(str):
    """Text already laid out as lines that are safe to print as they are (see `quoted`)."""

    __slots__ = ()


def _visible(char: str) -> str:
    if char in _BIDI or unicodedata.category(char) in ("Cc", "Cs"):
        return REPLACEMENT
    return char


def one_line(value: Any) -> Any:
    """A string as one line: breaks become spaces, other control characters U+FFFD.

    Anything not a plain string (numbers, dates, markup and blocks made safe already) is
    returned as it is.
    """
    if not isinstance(value, str) or isinstance(value, Markup | Block):
        return value
    flat = _BREAKS.sub(" ", value)
    return "".join(_visible(char) for char in flat)


def quoted(value: str | None, prefix: str = "> ") -> Block:
    """Free text as written, every line of it behind `prefix` (so none can pass for ours)."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [one_line(line).rstrip() for line in re.split(r"[\n\v\f\x85\u2028\u2029]", text)]
    while lines and not lines[-1]:
        lines.pop()
    return Block("\n".join(f"{prefix}{line}".rstrip() for line in lines))
