"""The append-only, hash-chained event log (SPEC 5 "Auditable"; issue 5)."""
