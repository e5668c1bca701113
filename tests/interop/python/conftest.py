"""Interop fixtures: the official Alibaba Cloud KMS Python SDK against the kmskit emulator and CLI.

The emulator binary comes from $KMSKIT_EMULATOR (default <repo>/target/debug/kmskit-emulator),
the CLI from $KMSKIT_CLI (default <repo>/target/debug/kmskit). Both must exist: a missing binary
is a test failure, never a skip.
"""
from __future__ import annotations

import base64
import json
import os
import re
import selectors
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from alibabacloud_kms20160120 import models
from alibabacloud_kms20160120.client import Client
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

REPO = Path(__file__).resolve().parents[3]
EMULATOR = Path(os.environ.get("KMSKIT_EMULATOR") or REPO / "target/debug/kmskit-emulator")
CLI = Path(os.environ.get("KMSKIT_CLI") or REPO / "target/debug/kmskit")
READY_TIMEOUT_S = 20

for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy"):
        del os.environ[_k]
os.environ["NO_PROXY"] = "127.0.0.1,localhost"


class Emulator:
    def __init__(self, info: dict, proc: subprocess.Popen, log: Path):
        self.info = info
        self.proc = proc
        self.log = log
        self.endpoint_url = info["endpoint"]
        m = re.fullmatch(r"http://([^/]+)/?", self.endpoint_url)
        assert m, f"emulator endpoint is not http://host:port: {self.endpoint_url!r}"
        self.hostport = m.group(1)
        self.region = info["region"]
        self.ak = info["access_key_id"]
        self.secret = info["access_key_secret"]
        self.admin_token = info["admin_token"]

    # --- admin API ------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint_url.rstrip("/") + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.admin_token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            raise AssertionError(f"admin {method} {path} -> {e.code}: {e.read()[:500]!r}") from None
        assert 200 <= status < 300, f"admin {method} {path} -> {status}"
        return json.loads(raw) if raw.strip() else None

    def stats(self) -> dict:
        return self.admin("GET", "/_emulator/stats")

    def count(self, action: str) -> int:
        return int(self.stats().get("requests", {}).get(action, 0))

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def _start_emulator(tmp: Path) -> Emulator:
    assert EMULATOR.is_file(), (
        f"emulator binary not found at {EMULATOR}; run `cargo build -p kmskit-emulator` "
        "or set KMSKIT_EMULATOR")
    log = tmp / "emulator.stderr.log"
    errf = open(log, "wb")
    proc = subprocess.Popen([str(EMULATOR), "--addr", "127.0.0.1:0", "--in-memory"],
                            stdout=subprocess.PIPE, stderr=errf, stdin=subprocess.DEVNULL)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + READY_TIMEOUT_S
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            proc.kill()
            proc.wait()
            raise AssertionError(
                f"emulator did not print its ready line within {READY_TIMEOUT_S}s "
                f"(exit={proc.returncode}, stdout so far={buf!r}); stderr:\n"
                + log.read_text(errors="replace")[-3000:])
        if sel.select(timeout=min(left, 0.5)):
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk and proc.poll() is None:
                time.sleep(0.05)
            buf += chunk
    line = buf.split(b"\n", 1)[0]
    try:
        info = json.loads(line)
    except ValueError:
        proc.kill()
        raise AssertionError(f"emulator ready line is not JSON: {line!r}") from None
    for k in ("endpoint", "region", "access_key_id", "access_key_secret", "admin_token"):
        assert k in info, f"ready line lacks {k!r}: {info}"
    return Emulator(info, proc, log)


def _stop(emu: Emulator):
    if emu.proc.poll() is None:
        emu.proc.send_signal(signal.SIGTERM)
        try:
            emu.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            emu.proc.kill()
            emu.proc.wait()
            raise AssertionError("emulator ignored SIGTERM for 10 s")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    emu = _start_emulator(tmp_path_factory.mktemp("emulator"))
    yield emu
    _stop(emu)
    # SIGTERM is the documented way to stop it: expect a clean exit (0, or -SIGTERM at worst).
    assert emu.proc.returncode in (0, -signal.SIGTERM), (
        f"emulator exited with {emu.proc.returncode} on SIGTERM; stderr:\n{emu.log_tail()}")


@pytest.fixture(autouse=True)
def _no_leftover_faults(request):
    yield
    if "emulator" in request.fixturenames:
        emu = request.getfixturevalue("emulator")
        if emu.proc.poll() is None:
            emu.admin("DELETE", "/_emulator/faults")


# --- official SDK helpers ---------------------------------------------------------------------

def make_client(emu: Emulator, **overrides) -> Client:
    kw = dict(access_key_id=emu.ak, access_key_secret=emu.secret, protocol="http",
              endpoint=emu.hostport, region_id=emu.region, read_timeout=15000, connect_timeout=5000)
    kw.update(overrides)
    return Client(Config(**kw))


def _snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def call(client: Client, action: str, **params) -> dict:
    """Call one action through the official SDK: params by WIRE name (as the KMS API docs name
    them), passed via <Action>Request().from_map(); returns the response body by wire names."""
    req = getattr(models, action + "Request")().from_map(params)
    resp = getattr(client, _snake(action) + "_with_options")(req, RuntimeOptions())
    assert resp.status_code == 200, resp.status_code
    body = resp.body.to_map()
    assert body.get("RequestId"), f"{action} response has no RequestId: {body}"
    return body


def kms_error(client: Client, action: str, **params):
    """Call an action that must be refused; returns the SDK exception."""
    with pytest.raises(Exception) as ei:
        call(client, action, **params)
    return ei.value


@pytest.fixture(scope="session")
def client(emulator) -> Client:
    return make_client(emulator)


def b64(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.b64encode(data).decode()


# --- kmskit CLI --------------------------------------------------------------------------------

class CliError(AssertionError):
    pass


def run_cli(emu: Emulator, *args: str, check: bool = True, secret: str | None = None):
    assert CLI.is_file(), f"kmskit CLI not found at {CLI}; run `cargo build -p kmskit-cli` or set KMSKIT_CLI"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emu.ak
    env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = secret if secret is not None else emu.secret
    cmd = [str(CLI), "--endpoint", emu.endpoint_url, "--region", emu.region, *args]
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    if not check:
        return p.returncode, out, err
    if p.returncode != 0:
        raise CliError(f"kmskit {' '.join(args)} exited {p.returncode}\nstdout: {out}\nstderr: {err}")
    try:
        return json.loads(out)
    except ValueError:
        raise CliError(f"kmskit {' '.join(args)} printed non-JSON stdout: {out!r}\nstderr: {err}") from None


@pytest.fixture
def tmpfile():
    paths = []

    def make(content: bytes) -> str:
        fd, p = tempfile.mkstemp(prefix="kmskit-interop-")
        os.write(fd, content)
        os.close(fd)
        paths.append(p)
        return p
    yield make
    for p in paths:
        os.unlink(p)
