"""HTTP entrypoints of the notifications service."""
