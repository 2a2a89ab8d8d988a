"""Use cases of the registration service: commands, queries, event handlers, loop passes."""
