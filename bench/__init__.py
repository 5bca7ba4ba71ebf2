"""Benchmarks: goalengine side by side with the bare eventsourcing library and the database, as ratios in one run."""
