"""The committee's side of `votehall committee unlock` (docs/SECRET_BALLOTS.md, "After a crash
or restart"): the ballot key is unwrapped on the committee's own machine, and only the ballot's
private key goes to the server, never the committee's."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from server.errors import InvalidInput
from server.secret.keys import WRAPPED_BYTES, BallotKey, read_committee_private


def unwrap_for_unlock(wrapped_b64: str, committee_key_path: Path) -> str:
    """The ballot's private key (base64, for `POST /api/ballots/{id}/unlock`) from the wrapped
    key the server gave (`GET /api/ballots/{id}/ballot-key`) and the committee's key file."""
    try:
        wrapped = base64.b64decode(wrapped_b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the wrapped ballot key is not valid base64", code="bad_key") from None
    if len(wrapped) != WRAPPED_BYTES:
        raise InvalidInput(
            f"the wrapped ballot key has {len(wrapped)} bytes; a wrapped key has {WRAPPED_BYTES}",
            code="bad_key",
        )
    return BallotKey.unwrap(wrapped, read_committee_private(committee_key_path)).private_b64
