"""The live path: kiosk votes with group commit, the in-memory read model, and the feed (SPEC 4.2, 4.3)."""
