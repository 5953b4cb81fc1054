"""Meetings, their agenda and the register frozen at opening (SPEC 2.1)."""
