"""Pure rules of the notifications service: mail states, SMTP verdicts, back-off, ids."""
