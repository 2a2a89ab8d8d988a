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


# Why a person's place in a session ended (scheduling's reason codes), as a sentence (#14.6).
CANCELLATION_REASONS: dict[str, dict[str, str]] = {
    "registration_withdrawn": {
        "fi": "Organisaationne perui ilmoittautumisensa käyttöönottojaksolle.",
        "sv": "Er organisation återkallade sin anmälan till införandeperioden.",
        "en": "Your organisation withdrew its registration for the deployment period.",
    },
    "registration_moved": {
        "fi": "Organisaationne ilmoittautuminen siirrettiin toiselle käyttöönottojaksolle.",
        "sv": "Er organisations anmälan flyttades till en annan införandeperiod.",
        "en": "Your organisation's registration was moved to another deployment period.",
    },
    "registration_rejected": {
        "fi": "Organisaationne ilmoittautumista ei hyväksytty.",
        "sv": "Er organisations anmälan godkändes inte.",
        "en": "Your organisation's registration was not accepted.",
    },
    "registration_returned": {
        "fi": "Organisaationne ilmoittautuminen palautettiin täydennettäväksi.",
        "sv": "Er organisations anmälan returnerades för komplettering.",
        "en": "Your organisation's registration was returned for changes.",
    },
    "contact_removed": {
        "fi": "Teitä ei enää ole ilmoittautumisen osallistujana.",
        "sv": "Ni är inte längre deltagare i anmälan.",
        "en": "You are no longer a participant of the registration.",
    },
    "moved": {
        "fi": "Teidät siirrettiin toiseen tilaisuuteen; siitä tulee erillinen kutsu.",
        "sv": "Ni flyttades till ett annat tillfälle; en separat inbjudan kommer.",
        "en": "You were moved to another session; a separate invitation follows.",
    },
    "cancelled_by_organisation": {
        "fi": "Organisaationne perui osallistumisenne.",
        "sv": "Er organisation avbokade ert deltagande.",
        "en": "Your organisation cancelled your place.",
    },
    "cancelled_by_staff": {
        "fi": "Kela perui osallistumisenne.",
        "sv": "FPA avbokade ert deltagande.",
        "en": "Kela cancelled your place.",
    },
    "session_cancelled": {
        "fi": "Tilaisuus peruttiin.",
        "sv": "Tillfället ställdes in.",
        "en": "The session was cancelled.",
    },
}
# A reason code this service does not know yet: said plainly, never shown as the code.
UNKNOWN_CANCELLATION = {
    "fi": "Paikkanne tilaisuudessa päättyi.",
    "sv": "Er plats vid tillfället upphörde.",
    "en": "Your place in the session ended.",
}
REASON_LABEL = {"fi": "Syy", "sv": "Orsak", "en": "Reason"}

# Words a member of Kela's staff wrote, marked as theirs.
STAFF_WORDS = {
    "fi": "Kelan käsittelijän kirjoittama",
    "sv": "skrivet av FPA:s handläggare",
    "en": "written by Kela's staff",
}

# Warnings a registration was accepted with (R6, R7), from their code (#14.6).
WARNINGS: dict[str, dict[str, str]] = {
    "short_lead_time": {
        "fi": "Suunniteltu tuotantokäytön aloitus{start} on lähempänä kuin käyttöönotto "
        "yleensä vaatii: sertifioidulla järjestelmällä varatkaa noin 3–6 kuukautta, "
        "sertifioimattomalla vähintään vuosi.",
        "sv": "Den planerade starten av produktionsanvändningen{start} ligger närmare än "
        "införandet brukar kräva: med ett certifierat system reservera cirka 3–6 månader, "
        "med ett icke-certifierat minst ett år.",
        "en": "The planned start of production use{start} is sooner than a deployment "
        "usually takes: with a certified system allow about 3–6 months, with an "
        "uncertified one at least a year.",
    },
    "production_after_period": {
        "fi": "Suunniteltu tuotantokäytön aloitus{start} on käyttöönottojakson päättymisen "
        "jälkeen; tavoitteena on tuotantokäyttö viimeistään jakson lopussa.",
        "sv": "Den planerade starten av produktionsanvändningen{start} ligger efter "
        "införandeperiodens slut; målet är produktionsanvändning senast när perioden slutar.",
        "en": "The planned start of production use{start} is after the deployment period "
        "ends; the aim is production use by the end of the period at the latest.",
    },
}
UNKNOWN_WARNING = {
    "fi": "Ilmoittautumiseen liittyy huomautus, jonka Kela käy läpi käsittelyn yhteydessä.",
    "sv": "Anmälan har en anmärkning som FPA går igenom när anmälan behandlas.",
    "en": "The registration has a remark that Kela will go through when processing it.",
}

# A due day said as a person says it on the day before and on the day itself.
TODAY = {"fi": "tänään", "sv": "i dag", "en": "today"}
TOMORROW = {"fi": "huomenna", "sv": "i morgon", "en": "tomorrow"}

# Contact roles (as in Kela's extranet) and languages, as the staff copy lists contacts.
CONTACT_ROLES: dict[str, dict[str, str]] = {
    "administrative": {
        "fi": "hallinnollinen yhteyshenkilö",
        "sv": "administrativ kontaktperson",
        "en": "administrative contact",
    },
    "technical": {
        "fi": "tekninen yhteyshenkilö",
        "sv": "teknisk kontaktperson",
        "en": "technical contact",
    },
    "data_protection_officer": {
        "fi": "tietosuojavastaava",
        "sv": "dataskyddsombud",
        "en": "data protection officer",
    },
    "archivist": {"fi": "arkistonhoitaja", "sv": "arkivarie", "en": "archivist"},
    "implementer": {
        "fi": "tietoliikenne- ja ohjelmistototeuttaja",
        "sv": "implementerare av datakommunikation och programvara",
        "en": "data-communication and software implementer",
    },
    "reader": {"fi": "lukija", "sv": "läsare", "en": "reader"},
}
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "fi": {"fi": "suomi", "sv": "finska", "en": "Finnish"},
    "sv": {"fi": "ruotsi", "sv": "svenska", "en": "Swedish"},
    "en": {"fi": "englanti", "sv": "engelska", "en": "English"},
}
NOT_PARTICIPATING = {
    "fi": "ei osallistu tilaisuuksiin",
    "sv": "deltar inte i tillfällena",
    "en": "does not take part in the sessions",
}
