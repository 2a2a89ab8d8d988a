"""Names of the deployable services in the mail's language (reference data, kept here).

The codes are the API's stable ones (DOMAIN.md); the labels are the current names. A code
this table does not know is shown as it is, so a new service never breaks a mail.
"""

from __future__ import annotations

from services.notifications.domain import DEFAULT_LANGUAGE

CATALOGUE_VERSION = "2024-1"

SERVICE_LABELS: dict[str, dict[str, str]] = {
    "patient_data_repository": {
        "fi": "Potilastietovaranto (ent. Potilastiedon arkisto)",
        "sv": "Patientdatalagret (tidigare Patientdataarkivet)",
        "en": "Patient Data Repository",
    },
    "social_welfare_client_data_repository": {
        "fi": "Sosiaalihuollon asiakastietovaranto (ent. Sosiaalihuollon asiakastiedon arkisto)",
        "sv": "Socialvårdens klientdatalager (tidigare Socialvårdens klientdataarkiv)",
        "en": "Client Data Repository for Social Welfare",
    },
    "prescription": {"fi": "Resepti", "sv": "Recept", "en": "Prescription service"},
    "certificate_delivery": {
        "fi": "Terveydenhuollon todistusten välitys",
        "sv": "Förmedling av intyg inom hälso- och sjukvården",
        "en": "Delivery of health care certificates",
    },
    "old_patient_data_archiving": {
        "fi": "Vanhojen potilastietojen arkistointi",
        "sv": "Arkivering av gamla patientuppgifter",
        "en": "Archiving of old patient data",
    },
    "imaging_data_repository": {
        "fi": "Kuva-aineistojen tietovaranto (ent. Kuva-aineistojen arkisto)",
        "sv": "Bilddatalagret (tidigare Bilddataarkivet)",
        "en": "Imaging Data Repository",
    },
    "sw_old_documents": {
        "fi": "vanhat asiakirjat (asiakirjaryhmä)",
        "sv": "gamla handlingar (kategori av handlingar)",
        "en": "old documents (document group)",
    },
    "sw_phase_1_documents": {
        "fi": "I-vaiheen asiakirjat (asiakirjaryhmä)",
        "sv": "handlingar i fas I (kategori av handlingar)",
        "en": "phase I documents (document group)",
    },
    "sw_phase_2_documents": {
        "fi": "II-vaiheen asiakirjat (asiakirjaryhmä)",
        "sv": "handlingar i fas II (kategori av handlingar)",
        "en": "phase II documents (document group)",
    },
}


def service_label(code: str, language: str) -> str:
    """The service's name in `language` (Finnish when missing), or the code when unknown."""
    labels = SERVICE_LABELS.get(code)
    if labels is None:
        return code
    return labels.get(language) or labels[DEFAULT_LANGUAGE]
