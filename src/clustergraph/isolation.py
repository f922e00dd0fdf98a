"""Cuts a query worker off the network, so no query can make the server fetch a URL.

pyoxigraph follows ``SERVICE <url>`` itself, from Rust, where no Python socket patch reaches. A process that
moves into a network namespace of its own has only a loopback interface that is down: every outbound
connection, to 127.0.0.1 as much as to any other address, fails with "Network is unreachable". Pipes and
sockets the process already holds (the worker's pipe to the server) keep working. Root may create the
namespace directly; an unprivileged user may when the kernel allows user namespaces.
"""

from __future__ import annotations

import ctypes
import logging
import os

logger = logging.getLogger(__name__)

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def cut_network() -> str | None:
    """Move this process into a new, empty network namespace.

    Call it while the process has one thread (before the query engine starts its own): a namespace is a
    property of each thread, and threads started later inherit it.

    Returns
    -------
    str or None
        None when the process is cut off; otherwise why it could not be.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return f"libc cannot be loaded: {exc}"
    if libc.unshare(CLONE_NEWNET) == 0:
        return None
    first = os.strerror(ctypes.get_errno())
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        return None
    return f"unshare(CLONE_NEWNET) failed: {first}; with a user namespace: {os.strerror(ctypes.get_errno())}"
