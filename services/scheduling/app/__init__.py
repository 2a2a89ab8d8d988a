"""Scheduling's use cases: commands, queries, the consumer's handler, the reminders pass."""
