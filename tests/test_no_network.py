"""The program works offline, and the suite proves it: internet sockets are blocked for every test
(tests/conftest.py), in this process and in the Python processes tests start."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest


def test_an_internet_connection_attempt_fails_in_the_test_process(_no_network) -> None:
    before = len(_no_network.attempts)
    for family, address in ((socket.AF_INET, ("192.0.2.1", 80)), (socket.AF_INET6, ("2001:db8::1", 443))):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            with pytest.raises(OSError, match="network access is blocked"):
                sock.connect(address)
    assert len(_no_network.attempts) == before + 2
    del _no_network.attempts[before:]  # the attempts made on purpose here do not fail the run


def test_local_sockets_still_work() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ok")
        assert right.recv(2) == b"ok"


def test_child_python_processes_are_blocked_too() -> None:
    code = ("import socket\ns = socket.socket()\ntry:\n    s.connect(('192.0.2.1', 80))\n"
            "except OSError as e:\n    print(type(e).__name__)\nfinally:\n    s.close()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "NetworkBlockedError", done.stderr
