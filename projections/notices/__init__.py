"""Early warnings: derived from the goals' events and the calendar, recorded once each (ADR 0024)."""
