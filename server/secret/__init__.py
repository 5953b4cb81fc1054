"""The cryptography of secret ballots (issue 14, docs/SECRET_BALLOTS.md): pure building blocks.

- `keys`: the committee's key files and fingerprint, and the ballot key (made when a secret
  ballot opens, wrapped to the committee's key for recovery);
- `sealing`: a vote's secret, its tag, and the sealed box that stores it while the ballot is open;
- `units`: the unit ballots a close makes from the opened boxes, and the checks of
  `votehall verify` (the count, the receipts, a member's own vote);
- `unlock`: the committee's side of `votehall committee unlock`;
- `hardening`: no core dumps of a process that holds a ballot key.

No database and no I/O but the key files. This package's `__init__` imports nothing, so that
`votehall verify` can import `server.secret.units` (hashlib only) without PyNaCl.
"""
