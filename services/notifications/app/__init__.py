"""Use cases of the notifications service: queueing mails from events, sending, the API's reads."""
