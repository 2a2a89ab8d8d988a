"""HTTP routes of the registration service (under `/v1`)."""
