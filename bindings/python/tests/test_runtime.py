"""Retries through injected faults, the GIL, and fork safety."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from typing import List

import pytest

import kmskit

from conftest import Emulator


def test_retries_through_throttling(emulator: Emulator, alias: str) -> None:
    c = emulator.client(max_attempts=3)
    emulator.fault(kind="throttling", action="Encrypt", count=2)
    before = emulator.count("Encrypt")
    r = c.encrypt(alias, b"retry")
    assert emulator.count("Encrypt") - before == 3
    assert c.decrypt(r.ciphertext_blob).plaintext == b"retry"


def test_retries_through_503(emulator: Emulator, alias: str) -> None:
    c = emulator.client()
    emulator.fault(kind="error", action="GenerateDataKey", status=503, count=1)
    before = emulator.count("GenerateDataKey")
    assert len(c.generate_data_key(alias, number_of_bytes=8).plaintext) == 8
    assert emulator.count("GenerateDataKey") - before == 2


def test_max_attempts_one_means_no_retry(emulator: Emulator, alias: str) -> None:
    c = emulator.client(max_attempts=1)
    emulator.fault(kind="throttling", action="Encrypt", count=1)
    before = emulator.count("Encrypt")
    with pytest.raises(kmskit.ThrottlingError):
        c.encrypt(alias, b"x")
    assert emulator.count("Encrypt") - before == 1


def test_async_retries(emulator: Emulator, alias: str) -> None:
    c = emulator.async_client(max_attempts=3)
    emulator.fault(kind="throttling", action="Decrypt", count=2)
    blob = emulator.client().encrypt(alias, b"a-retry").ciphertext_blob
    before = emulator.count("Decrypt")
    assert asyncio.run(c.decrypt(blob)).plaintext == b"a-retry"
    assert emulator.count("Decrypt") - before == 3


def test_gil_is_released_while_a_call_waits(emulator: Emulator, alias: str) -> None:
    """A pure-Python thread keeps running while a blocking call waits on a 1 s delay fault."""
    c = emulator.client(max_attempts=1)
    emulator.fault(kind="delay", action="Encrypt", delay_ms=1000, count=1)
    stamps: List[float] = []
    done = threading.Event()

    def spin() -> None:
        # No sleeps and no I/O: this thread only runs when it holds the GIL.
        while not done.is_set():
            stamps.append(time.perf_counter())

    t = threading.Thread(target=spin)
    t.start()
    try:
        start = time.perf_counter()
        c.encrypt(alias, b"gil")
        end = time.perf_counter()
    finally:
        done.set()
        t.join()
    assert end - start >= 0.9, "the delay fault did not apply"
    during = [s for s in stamps if start <= s <= end]
    assert len(during) > 1000, len(during)
    gaps = [b - a for a, b in zip(during, during[1:])]
    # Holding the GIL through the call would leave one gap of about 1 s.
    assert max(gaps) < 0.3, max(gaps)


def test_threads_share_one_client(client: kmskit.Client, alias: str) -> None:
    results: List[bytes] = []
    errors: List[BaseException] = []

    def work(i: int) -> None:
        try:
            blob = client.encrypt(alias, bytes([i]) * 4).ciphertext_blob
            results.append(client.decrypt(blob).plaintext)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == sorted(bytes([i]) * 4 for i in range(8))


# --- fork --------------------------------------------------------------------------------------


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError(f"forked child {pid} hung for {timeout} s")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_os_fork_child_rebuilds_the_runtime(emulator: Emulator, alias: str) -> None:
    c = emulator.client()
    ac = emulator.async_client()
    # The parent's runtime is running and its pool holds a keep-alive connection.
    blob = c.encrypt(alias, b"before fork").ciphertext_blob
    assert asyncio.run(ac.decrypt(blob)).plaintext == b"before fork"
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_fd)
            ok = c.decrypt(blob).plaintext == b"before fork"
            ok = ok and c.decrypt(c.encrypt(alias, b"child").ciphertext_blob).plaintext == b"child"
            ok = ok and asyncio.run(ac.decrypt(blob)).plaintext == b"before fork"
            os.write(write_fd, b"ok" if ok else b"mismatch")
            code = 0 if ok else 1
        except BaseException as e:
            os.write(write_fd, repr(e).encode()[:500])
        finally:
            os._exit(code)
    os.close(write_fd)
    exit_code = _wait(pid, 30)
    with os.fdopen(read_fd, "rb") as f:
        message = f.read()
    assert exit_code == 0, message
    assert message == b"ok"
    # The parent's client and runtime are untouched by the child.
    assert c.decrypt(c.encrypt(alias, b"parent after").ciphertext_blob).plaintext == b"parent after"
    assert asyncio.run(ac.decrypt(blob)).plaintext == b"before fork"


_FORK_CLIENT: kmskit.Client
_FORK_ALIAS: str


def _roundtrip(i: int) -> bytes:
    data = f"worker-{i}".encode()
    return _FORK_CLIENT.decrypt(_FORK_CLIENT.encrypt(_FORK_ALIAS, data).ciphertext_blob).plaintext


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_multiprocessing_fork_pool(emulator: Emulator, alias: str) -> None:
    global _FORK_CLIENT, _FORK_ALIAS
    _FORK_CLIENT = emulator.client()
    _FORK_ALIAS = alias
    assert _roundtrip(-1) == b"worker--1"  # runtime and pool live in the parent before forking
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        got = pool.map_async(_roundtrip, range(6)).get(timeout=60)
    assert got == [f"worker-{i}".encode() for i in range(6)]
    assert _roundtrip(99) == b"worker-99"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_errors_cross_process_boundaries(emulator: Emulator) -> None:
    global _FORK_CLIENT, _FORK_ALIAS
    _FORK_CLIENT = emulator.client()
    _FORK_ALIAS = "alias/not-there-at-all"
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        with pytest.raises(kmskit.NotFoundError) as e:
            pool.apply_async(_roundtrip, (1,)).get(timeout=60)
    assert e.value.code == 3301
