"""I/O of the notifications service: tables, repositories, SMTP, MIME, calendars, templates."""
