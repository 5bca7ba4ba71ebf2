"""Cycles and objectives: review cycles, carry-over, and the objectives goals align to."""
