"""Ballots and their lifecycle (SPEC 2.4-2.8)."""
