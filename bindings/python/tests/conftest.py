"""Fixtures: one kmskit emulator per session (binary from $KMSKIT_EMULATOR, default
<repo>/target/debug/kmskit-emulator), clients pointed at it, and its admin API.

A missing emulator binary is a test failure, never a skip.
"""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import kmskit
from oidc_helper import RsaSigner

REPO = Path(__file__).resolve().parents[3]
EMULATOR = Path(os.environ.get("KMSKIT_EMULATOR") or REPO / "target/debug/kmskit-emulator")
READY_TIMEOUT_S = 20

for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
        del os.environ[_k]


class Emulator:
    def __init__(
        self,
        info: Dict[str, Any],
        proc: "subprocess.Popen[bytes]",
        workdir: Path,
        oidc: RsaSigner,
    ) -> None:
        self.info = info
        self.proc = proc
        self.workdir = workdir
        self.oidc = oidc
        self.endpoint: str = info["endpoint"]
        self.region: str = info["region"]
        self.access_key_id: str = info["access_key_id"]
        self.access_key_secret: str = info["access_key_secret"]
        self.admin_token: str = info["admin_token"]
        # STS, ECS metadata and the dedicated gateway (Instance API with an issued ClientKey).
        self.sts_endpoint: str = info["sts_endpoint"]
        self.metadata_endpoint: str = info["metadata_endpoint"]
        self.metadata_role_name: str = info["metadata_role_name"]
        self.dedicated_endpoint: str = info["dedicated_endpoint"]
        self.dedicated_ca_file: str = info["dedicated_ca_file"]
        self.instance_id: str = info["instance_id"]
        self.client_key_file: str = info["client_key_file"]
        self.client_key_password_file: str = info["client_key_password_file"]

    def access_key(self) -> kmskit.AccessKey:
        return kmskit.AccessKey(self.access_key_id, self.access_key_secret)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10) as r:
            raw = r.read()
        return json.loads(raw) if raw.strip() else None

    def fault(self, **body: Any) -> None:
        self.admin("POST", "/_emulator/faults", body)

    def count(self, action: str) -> int:
        return int(self.admin("GET", "/_emulator/stats").get("requests", {}).get(action, 0))

    def client(self, **options: Any) -> kmskit.Client:
        return kmskit.Client(**self.options(**options))

    def async_client(self, **options: Any) -> kmskit.AsyncClient:
        return kmskit.AsyncClient(**self.options(**options))

    def options(self, **options: Any) -> Dict[str, Any]:
        base: Dict[str, Any] = dict(
            endpoint=self.endpoint,
            region=self.region,
            credentials=kmskit.AccessKey(self.access_key_id, self.access_key_secret),
        )
        base.update(options)
        return base


def _start() -> Emulator:
    assert EMULATOR.is_file(), (
        f"emulator binary not found at {EMULATOR}; run `cargo build -p kmskit-emulator` "
        "or set KMSKIT_EMULATOR"
    )
    workdir = Path(tempfile.mkdtemp(prefix="kmskit-py-"))
    oidc = RsaSigner()
    jwks = workdir / "jwks.json"
    jwks.write_text(json.dumps(oidc.jwks()))
    proc = subprocess.Popen(
        [
            str(EMULATOR),
            "--addr",
            "127.0.0.1:0",
            "--in-memory",
            "--client-key-out",
            str(workdir),
            "--oidc-jwks",
            str(jwks),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + READY_TIMEOUT_S
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            proc.kill()
            proc.wait()
            raise AssertionError(f"emulator did not get ready (exit={proc.returncode}, out={buf!r})")
        if sel.select(timeout=min(left, 0.5)):
            buf += os.read(proc.stdout.fileno(), 4096)
    return Emulator(json.loads(buf.split(b"\n", 1)[0]), proc, workdir, oidc)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    emu = _start()
    yield emu
    emu.proc.send_signal(signal.SIGTERM)
    try:
        emu.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        emu.proc.kill()
        emu.proc.wait()
    shutil.rmtree(emu.workdir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emulator" in request.fixturenames:
        emu = request.getfixturevalue("emulator")
        if emu.proc.poll() is None:
            emu.admin("DELETE", "/_emulator/faults")


@pytest.fixture(scope="session")
def client(emulator: Emulator) -> kmskit.Client:
    return emulator.client()


@pytest.fixture(scope="session")
def key_id(client: kmskit.Client) -> str:
    return str(client.call("CreateKey", {"KeySpec": "Aliyun_AES_256"})["KeyMetadata"]["KeyId"])


@pytest.fixture(scope="session")
def alias(client: kmskit.Client, key_id: str) -> str:
    name = f"alias/py-{uuid.uuid4().hex[:12]}"
    client.call("CreateAlias", {"AliasName": name, "KeyId": key_id})
    return name


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def wait_child(pid: int, timeout: float = 30) -> int:
    """The exit code of a forked child; kills it and fails if it hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"forked child {pid} hung for {timeout} s")


def run(coro: Any) -> Any:
    """Runs one coroutine on a fresh event loop (no pytest-asyncio needed)."""
    return asyncio.run(coro)
