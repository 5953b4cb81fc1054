"""Publication (SPEC 2.9, 4.1; issue 5): the per-member record, the results for the minutes, the log."""
