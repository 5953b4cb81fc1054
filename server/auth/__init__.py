"""Operator tokens and role checks (SPEC 3)."""
