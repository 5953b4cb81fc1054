"""Voting cards (stemkaarten): codes, printing and mailing to the members (SPEC 2.2)."""
