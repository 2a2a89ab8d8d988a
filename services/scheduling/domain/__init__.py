"""Pure rules of scheduling: the calendar (R1, R2), enrolment, reminders. No I/O, no clock."""
