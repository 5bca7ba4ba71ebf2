"""The fairness report (ADR 0041)."""
