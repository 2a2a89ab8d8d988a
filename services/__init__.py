"""The three services: registration, scheduling, notifications."""
