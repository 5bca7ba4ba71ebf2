"""The audit trail: its hash chain, verification and tamper kinds, and the recalibration fairness report."""
