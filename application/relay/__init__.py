"""Relays: the event log, in order, into a message broker that takes over fan-out and retention (ADR 0019)."""
