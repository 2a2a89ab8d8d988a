"""Notifications service: mails to organisations' contacts, sent reliably from an outbox."""
