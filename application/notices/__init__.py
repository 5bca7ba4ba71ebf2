"""Early warnings recorded as the log and the calendar call for them (ADR 0024): the notifier issues commands."""
