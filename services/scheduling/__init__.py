"""Scheduling service: the period calendar, preparation events, trainings and enrolment."""
