"""Loopback ports for servers that a test or CI starts as another process.

A port the kernel hands out for `bind(("127.0.0.1", 0))` comes from the ephemeral range, so while the
process we start is still loading, a fake server of a test running beside it can be handed the same
port and answer in its place. These ports are taken below that range, where binds to port 0 never
land, and each is checked free before it is given.
"""

from __future__ import annotations

import random
import socket
import sys
from pathlib import Path

LOWEST = 20000
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _first_ephemeral() -> int:
    """Where the kernel starts handing out ports for binds to port 0 (Linux; 32768 elsewhere)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on loopback, outside the ephemeral range."""
    highest = max(_first_ephemeral() - 1, LOWEST + 1000)
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randint(LOWEST, highest)
        if port not in chosen and _is_free(port):
            chosen.append(port)
    return chosen


def free_port() -> int:
    return free_ports(1)[0]


if __name__ == "__main__":  # .ci/run: `python -m tests.fakes.ports N` prints N ports, one a line
    print("\n".join(map(str, free_ports(int(sys.argv[1])))))
