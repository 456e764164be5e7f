"""Realistic test data and the demo: the seeded generator of a night of provincial files (every
shape and defect kind the pipeline must handle) and `thanrak demo` (generate, then run-night)."""
