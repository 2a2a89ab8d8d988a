"""Scheduling's HTTP routes: thin, each builds a command and calls one use case."""
