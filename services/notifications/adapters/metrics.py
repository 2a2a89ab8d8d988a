"""Prometheus counters of the mail sender (exposed at `/metrics` with the shared ones)."""

from __future__ import annotations

from prometheus_client import Counter

MAIL_OUTCOMES = Counter(
    "mail_outcomes_total",
    "Mails that left a sending pass, by the status they reached",
    ["status"],
)
SMTP_UNAVAILABLE = Counter(
    "smtp_unavailable_total", "Sending passes that could not open an SMTP session"
)
