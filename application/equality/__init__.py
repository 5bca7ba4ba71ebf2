"""Protected characteristics for equality analysis (ADR 0042): sealed, outside the event log, aggregate only."""
