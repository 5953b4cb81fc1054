"""Keep a ballot's private key out of core dumps (DESIGN.md "Secret votes that stay verifiable").

The process that opens a secret ballot holds its private key in memory until the close. A core
dump would write that memory to disk, where the key outlives the ballot. `forbid_core_dumps`
sets the core size limit to 0 (inherited by child processes) and, on Linux, marks the process
not dumpable, which also covers a core pattern that pipes dumps to a program (the size limit
does not bind those) and keeps other processes of the same user from attaching to read its
memory. Neither is essential to serve a meeting: what cannot be done is logged at debug level.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

PR_SET_DUMPABLE = 4  # <linux/prctl.h>
PR_GET_DUMPABLE = 3


def forbid_core_dumps() -> None:
    """No core dumps of this process from now on, as far as the system lets it; never raises."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError) as error:
        log.debug("could not set the core size limit to 0: %s", error)
    if sys.platform == "linux":
        _not_dumpable()


def _not_dumpable() -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            log.debug("prctl(PR_SET_DUMPABLE, 0) failed: errno %d", ctypes.get_errno())
    except (OSError, AttributeError) as error:
        log.debug("prctl(PR_SET_DUMPABLE, 0) is not available: %s", error)


def dumpable() -> bool | None:
    """Whether the system may dump this process's memory (Linux), or None where it cannot tell."""
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
    except (OSError, AttributeError):
        return None
