"""Pure rules of a registration: identifiers, contacts, states. No I/O here."""

from __future__ import annotations

import re
from enum import StrEnum

from stdnum.fi import ytunnus

BUSINESS_ID_FORMAT = re.compile(r"^\d{7}-\d$")


class InvalidBusinessId(ValueError):
    """Not a Y-tunnus: wrong format or check digit."""


def normalise_business_id(value: str) -> str:
    """Return the business ID (Y-tunnus) as `NNNNNNN-C`, or raise InvalidBusinessId.

    The check digit follows weights 7,9,10,5,8,4,2 mod 11 (r = 1 is never issued), as
    python-stdnum implements it; the 8-digit compact form is accepted and hyphenated.
    """
    candidate = value.strip()
    if not (BUSINESS_ID_FORMAT.match(candidate) or re.fullmatch(r"\d{8}", candidate)):
        raise InvalidBusinessId(
            f"{value!r} is not a business ID (Y-tunnus): "
            "expected 7 digits, a hyphen and a check digit"
        )
    if not ytunnus.is_valid(candidate):
        raise InvalidBusinessId(
            f"{value} is not a valid business ID (Y-tunnus): check digit is wrong"
        )
    return str(ytunnus.format(candidate))


class RegistrationState(StrEnum):
    """Lifecycle states; the foundation knows `submitted`, later issues add the rest."""

    SUBMITTED = "submitted"
