"""The catalogue of Kanta services and functionalities: versioned data, not code.

Each version is a JSON file beside this module (`catalogue-<version>.json`); the newest is
served. Labels may change between versions, codes never do. Every service reads it from
here: registration checks who may deploy what, notifications names services in mails.
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


FORMERLY = {"fi": "ent.", "sv": "tidigare", "en": "formerly"}
DOCUMENT_GROUP = {"fi": "asiakirjaryhmä", "sv": "kategori av handlingar", "en": "document group"}


class CatalogueService(_Frozen):
    """One service or functionality that organisations deploy."""

    code: str = Field(examples=["patient_data_repository"])
    names: ServiceNames
    domains: list[Domain] = Field(examples=[["health_care"]])
    document_group: bool = Field(
        default=False, description="A social welfare document group rather than a service."
    )

    def label(self, language: str) -> str:
        """The name a person reads in `language` (Finnish when unknown), with its former name."""
        lang = language if language in FORMERLY else "fi"
        name: ServiceName = getattr(self.names, lang)
        text = name.current
        if name.former:
            text += f" ({FORMERLY[lang]} {name.former[0]})"
        if self.document_group:
            text += f" ({DOCUMENT_GROUP[lang]})"
        return text


class Catalogue(_Frozen):
    """A version of the catalogue."""

    version: str = Field(examples=[CURRENT_VERSION])
    services: list[CatalogueService]

    def service(self, code: str) -> CatalogueService | None:
        """The entry of `code`, or None when it is not in the catalogue."""
        return next((s for s in self.services if s.code == code), None)

    def label(self, code: str, language: str) -> str:
        """The service's name in `language`, or the code itself when it is unknown."""
        service = self.service(code)
        return code if service is None else service.label(language)

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
