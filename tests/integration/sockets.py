"""Which TCP sockets this test process holds open, read from /proc: a leak shows before the GC finds it."""

from __future__ import annotations

import contextlib
import os


def _rows() -> list[tuple[int, int]]:
    """(local port, remote port) of every TCP socket this process has open."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # an fd closed while we look
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return [(int(r[1].split(":")[1], 16), int(r[2].split(":")[1], 16)) for r in rows if r[9] in inodes]


def sockets_to(port: int) -> int:
    """Client sockets this process holds open towards `port`."""
    return sum(1 for _local, remote in _rows() if remote == port)


def sockets_at(port: int) -> int:
    """Sockets this process holds open on its own `port`: the listener and the server's side of connections."""
    return sum(1 for local, _remote in _rows() if local == port)
