"""Words of the mails that are not templates: notice kinds, detail names, small phrases.

Service names are not here: they come from the one catalogue (`shared.catalogue`).
"""

from __future__ import annotations

from services.notifications.domain.mail import DEFAULT_LANGUAGE

# "käyttöönottojakso 1/2027" and its translations.
PERIOD_WORDS = {"fi": "käyttöönottojakso", "sv": "införandeperiod", "en": "deployment period"}
# A value that is not there (an old place a session did not have, say).
EMPTY = {"fi": "(ei mitään)", "sv": "(inget)", "en": "(none)"}

# Kinds of the change notices of an extension of use (R9), as their mail names them.
NOTICE_KIND_LABELS: dict[str, dict[str, str]] = {
    "connection_point_change": {
        "fi": "Liityntäpisteen muutos",
        "sv": "Ändring av anslutningspunkt",
        "en": "Change of technical connection point",
    },
    "new_certified_system": {
        "fi": "Uusi sertifioitu tietojärjestelmä",
        "sv": "Nytt certifierat informationssystem",
        "en": "New certified information system",
    },
    "document_group_change": {
        "fi": "Asiakirjaryhmien muutos",
        "sv": "Ändring av kategorier av handlingar",
        "en": "Change of document groups",
    },
    "system_profile_change": {
        "fi": "Tietojärjestelmäprofiilin muutos",
        "sv": "Ändring av informationssystemprofil",
        "en": "Change of information-system profile",
    },
    "document_volume_growth": {
        "fi": "Asiakirjamäärän kasvu",
        "sv": "Ökning av antalet handlingar",
        "en": "Growth in document volume",
    },
    "archiving_extension": {
        "fi": "Arkistoinnin laajennus uusiin palvelutehtäviin",
        "sv": "Utvidgning av arkiveringen till nya serviceuppgifter",
        "en": "Archiving extended to new service tasks",
    },
}

# The fields a notice's details may hold, as a person reads them; others show their key.
NOTICE_DETAIL_LABELS: dict[str, dict[str, str]] = {
    "change": {"fi": "Muutos", "sv": "Ändring", "en": "Change"},
    "connection_point": {
        "fi": "Liityntäpiste",
        "sv": "Anslutningspunkt",
        "en": "Connection point",
    },
    "product": {"fi": "Tuote", "sv": "Produkt", "en": "Product"},
    "vendor": {"fi": "Toimittaja", "sv": "Leverantör", "en": "Vendor"},
    "certification_class": {
        "fi": "Sertifiointiluokka",
        "sv": "Certifieringsklass",
        "en": "Certification class",
    },
    "in_use_from": {"fi": "Käytössä alkaen", "sv": "I bruk från", "en": "In use from"},
    "document_groups": {
        "fi": "Asiakirjaryhmät",
        "sv": "Kategorier av handlingar",
        "en": "Document groups",
    },
    "old_profile": {"fi": "Aiempi profiili", "sv": "Tidigare profil", "en": "Previous profile"},
    "new_profile": {"fi": "Uusi profiili", "sv": "Ny profil", "en": "New profile"},
    "document_increase": {
        "fi": "Asiakirjamäärän kasvu",
        "sv": "Ökning av antalet handlingar",
        "en": "Increase in documents",
    },
    "service_tasks": {"fi": "Palvelutehtävät", "sv": "Serviceuppgifter", "en": "Service tasks"},
    "effective_on": {"fi": "Voimaantulopäivä", "sv": "Gäller från", "en": "Effective date"},
}

# Values of a connection-point notice's `change`.
CONNECTION_POINT_CHANGES: dict[str, dict[str, str]] = {
    "new_connection_point": {
        "fi": "uusi liityntäpiste",
        "sv": "ny anslutningspunkt",
        "en": "new connection point",
    },
    "end_of_production_use": {
        "fi": "tuotantokäytön päättyminen",
        "sv": "produktionsanvändningen upphör",
        "en": "end of production use",
    },
    "data_link_change": {
        "fi": "tietoliikenneyhteyden muutos",
        "sv": "ändring av dataförbindelsen",
        "en": "change of data link",
    },
}


def label(table: dict[str, dict[str, str]], code: str, language: str) -> str:
    """The label of `code` in `table` in `language` (Finnish when missing), else the code."""
    labels = table.get(code)
    if labels is None:
        return code
    return labels.get(language) or labels[DEFAULT_LANGUAGE]
