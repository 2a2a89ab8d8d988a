"""The identifiers of an organisation: its business ID (Y-tunnus) and its OID."""

from __future__ import annotations

import re

from stdnum.fi import ytunnus

BUSINESS_ID_FORMAT = re.compile(r"^\d{7}-\d$")
# SOTE organisation register: 1.2.246.10.<business ID digits, no leading zero>.10.<unit>
SOTE_OID = re.compile(r"^1\.2\.246\.10\.([1-9]\d{0,7})\.10\.(0|[1-9]\d{0,8})$")
# Independent practitioners (itsenäinen ammatinharjoittaja) have IAH identifiers.
IAH_OID = re.compile(r"^1\.2\.246\.537\.28\.[1-9]\d{0,19}$")


class InvalidBusinessId(ValueError):
    """Not a Y-tunnus: wrong format or check digit."""


class InvalidOid(ValueError):
    """Not an OID of the SOTE organisation register for this business ID, nor an IAH id."""


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


def oid_digits(business_id: str) -> str:
    """The business ID as the SOTE register embeds it: digits only, no leading zero."""
    return business_id.replace("-", "").lstrip("0")


def check_oid(oid: str, *, business_id: str) -> str:
    """Return the OID if it is the organisation's SOTE OID (or a unit's) or an IAH id."""
    candidate = oid.strip()
    if IAH_OID.match(candidate):
        return candidate
    match = SOTE_OID.match(candidate)
    if match is None:
        raise InvalidOid(
            f"{oid!r} is not an organisation OID: expected 1.2.246.10.<business ID digits>.10.0 "
            "(or .10.<unit>), or an IAH id 1.2.246.537.28.<number>"
        )
    if match.group(1) != oid_digits(business_id):
        raise InvalidOid(
            f"The OID {candidate} does not embed the business ID {business_id} "
            f"(expected 1.2.246.10.{oid_digits(business_id)}.10.…)"
        )
    return candidate
