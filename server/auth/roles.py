from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Operator roles of SPEC 3; admin may do everything."""

    ADMIN = "admin"
    DESK = "desk"
    CHAIR = "chair"
