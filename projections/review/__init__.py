"""The review calculators: attainment, pace, scoring bands, the review view and its justification."""
