"""The store: database, pools, recorders, transcodings, tracing, idempotency and settings."""
