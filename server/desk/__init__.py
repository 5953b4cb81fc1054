"""Registration desk: check-in of representatives and their voting passes (SPEC 2.2, 2.3)."""
