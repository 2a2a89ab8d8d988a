"""The catalogue of Kanta services and functionalities: versioned data, not code.

Each version is a JSON file beside this module (`catalogue-<version>.json`); the newest is
served. Labels may change between versions, codes never do.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.common import Domain

HERE = Path(__file__).parent
CURRENT_VERSION = "2026.1"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceName(_Frozen):
    """A service's name in one language: the current one and those it had before."""

    current: str = Field(examples=["Potilastietovaranto"])
    former: list[str] = Field(default_factory=list, examples=[["Potilastiedon arkisto"]])


class ServiceNames(_Frozen):
    fi: ServiceName
    sv: ServiceName
    en: ServiceName


class CatalogueService(_Frozen):
    """One service or functionality that organisations deploy."""

    code: str = Field(examples=["patient_data_repository"])
    names: ServiceNames
    domains: list[Domain] = Field(examples=[["health_care"]])
    document_group: bool = Field(
        default=False, description="A social welfare document group rather than a service."
    )


class Catalogue(_Frozen):
    """A version of the catalogue."""

    version: str = Field(examples=[CURRENT_VERSION])
    services: list[CatalogueService]

    def domains_of(self, code: str) -> frozenset[str] | None:
        """The domains that may deploy `code`, or None when it is not in the catalogue."""
        for service in self.services:
            if service.code == code:
                return frozenset(service.domains)
        return None


@cache
def load_catalogue(version: str = CURRENT_VERSION) -> Catalogue:
    """Read (once) and validate a version of the catalogue."""
    path = HERE / f"catalogue-{version}.json"
    return Catalogue.model_validate_json(path.read_text(encoding="utf-8"))
