"""Scheduling's I/O: tables, repositories, the unit of work, calendar files."""
