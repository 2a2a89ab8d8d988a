"""#15: a fuzz test of the API's text type over every Unicode category (hypothesis).

`SafeLine` and `SafeText` accept a value or refuse it with a ValueError (pydantic's
ValidationError is one), never anything else; what they accept is stable under a second
validation, holds no control character (but `SafeText`'s LF and TAB), and (`SafeLine`) no
line break or tab.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.internal.charmap import CategoryName
from pydantic import StringConstraints, TypeAdapter

from shared.text import SafeLine, SafeText

# Every general category, the surrogates (Cs) and unassigned code points (Cn) included.
CATEGORIES: tuple[CategoryName, ...] = (
    "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe",
    "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn",
)  # fmt: skip
ANY_CHARACTER = st.characters(categories=CATEGORIES)
# Mostly ordinary text, with anything at all mixed in, and long runs to cross the bounds.
TEXTS = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.text(st.sampled_from(" a\u00e4\u0301\u0958\u2000\r\n\t\u0085\u2028\u202e\x00"), max_size=40),
    st.text(ANY_CHARACTER, min_size=190, max_size=2100),
    st.builds(
        lambda pad, core, tail: pad + core + tail,
        st.text(st.sampled_from(" \u00a0\u2000\u3000\n"), max_size=250),
        st.text(ANY_CHARACTER, min_size=1, max_size=30),
        st.text(st.sampled_from(" \u00a0\u2001\n"), max_size=250),
    ),
)
LINE = TypeAdapter(SafeLine)
TEXT = TypeAdapter(SafeText)
NARROW = TypeAdapter(Annotated[SafeLine, StringConstraints(max_length=64)])
LINE_BREAKS = set("\r\n\t\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")
FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def validated(adapter: TypeAdapter[str], value: str) -> str | None:
    """The accepted value, or None when refused with a ValueError (anything else propagates)."""
    try:
        return adapter.validate_python(value)
    except ValueError:
        return None


def assert_clean(value: str, *, line: bool, max_length: int) -> None:
    assert value == value.strip() and value, repr(value)
    assert 1 <= len(value) <= max_length, len(value)
    assert unicodedata.is_normalized("NFC", value), repr(value)
    for char in value:
        category = unicodedata.category(char)
        # A multi-line text keeps its line breaks and tabs (the one-line rule).
        assert category not in ("Cc", "Cs") or (not line and char in "\n\t"), repr(value)
        if line:
            assert char not in LINE_BREAKS, repr(value)


@FUZZ
@given(TEXTS)
@example(" ")
@example("a" + " " * 250)
@example("\u0958" * 150)  # NFC expands it: 300 characters
@example("a\u0301")
@example("\u2000x\u2000")
def test_safe_line_accepts_or_refuses_with_a_value_error_and_is_idempotent(value: str) -> None:
    for adapter, max_length in ((LINE, 200), (NARROW, 64)):
        accepted = validated(adapter, value)
        if accepted is None:
            continue
        assert_clean(accepted, line=True, max_length=max_length)
        assert adapter.validate_python(accepted) == accepted


@FUZZ
@given(TEXTS)
@example("line one\r\nline two\rline three")
@example("\n\n\n")
@example("\u0958" * 1500)
def test_safe_text_accepts_or_refuses_with_a_value_error_and_is_idempotent(value: str) -> None:
    accepted = validated(TEXT, value)
    if accepted is None:
        return
    assert_clean(accepted, line=False, max_length=2000)
    assert "\r" not in accepted
    assert TEXT.validate_python(accepted) == accepted


@given(st.text(ANY_CHARACTER, max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_json_string_is_judged_as_the_python_one(value: str) -> None:
    """What the API receives is JSON: the same verdict and the same value."""
    import json

    try:
        encoded = json.dumps(value)
    except UnicodeEncodeError:  # pragma: no cover  (json escapes everything it cannot encode)
        return
    try:
        from_json: str | None = LINE.validate_json(encoded)
    except ValueError:
        from_json = None
    assert from_json == validated(LINE, value)


@pytest.mark.parametrize(
    "value", ["Nul\u0000Name", "Ctrl\u0001Oy", "Bcc: x\r\nY-tunnus: 1", "a\u2028b", "\u202eoY"]
)
def test_the_probes_poisons_are_refused_by_both_types_where_they_must_be(value: str) -> None:
    assert validated(LINE, value) is None
    if "\u0000" in value or "\u0001" in value or "\u202e" in value:
        assert validated(TEXT, value) is None
