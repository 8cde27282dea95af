"""Loaded by every Python child process the tests start (tests/conftest.py puts this folder on
PYTHONPATH): the program must work offline, so any internet connection attempt fails there too."""

import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
attempts: list[object] = []


class NetworkBlockedError(OSError):
    """Raised instead of connecting; an OSError so the caller's offline handling is what runs."""


def _guard(real):
    def connect(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise NetworkBlockedError(f"network access is blocked in tests: {address!r}")
        return real(self, address, *args)
    return connect


def install() -> None:
    socket.socket.connect = _guard(_real_connect)
    socket.socket.connect_ex = _guard(_real_connect_ex)


install()
