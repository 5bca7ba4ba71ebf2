"""The organisation's directory: people, their reporting lines and groups, kept in the one log (ADR 0033)."""
