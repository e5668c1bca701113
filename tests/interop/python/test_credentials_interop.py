"""Credentials interop: the official alibabacloud-credentials library and kmskit, given the same
inputs, send the same requests to STS and to the ECS metadata service, and both are served by
the kmskit emulator.

Every request goes through a recorder in this process that forwards it to the emulator: a TLS
listener for the official library (which always speaks HTTPS to STS; it trusts the shared test
CA, the recorder presents a certificate for 127.0.0.1) and a plain listener for kmskit and for
the metadata service. The official library cannot be pointed at another metadata host, so its
process maps 100.100.100.200:80 to the recorder at the socket layer.
"""
from __future__ import annotations

import hashlib
import hmac
import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import CLI, REPO, run_cli

SHARED = REPO.parent / "shared" / "testdata" / "clientkey"
CA = SHARED / "PrivateKmsCA_kst-test0000000000000000.pem"
ROLE_ARN = "acs:ram::1234567890123456:role/interop"
POLICY = '{"Version":"1","Statement":[{"Effect":"Allow","Action":["kms:*"],"Resource":["*"]}]}'
# Parameters that differ per request by design.
VOLATILE = {"Timestamp", "SignatureNonce", "Signature"}


class Recorder:
    """Forwards HTTP requests to `target` and records them (method, path, ordered query pairs,
    headers, form body)."""

    def __init__(self, target: str):
        self.target = target.rstrip("/")
        self.requests: list[dict] = []
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _any(self):
                n = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(n) if n else b""
                url = urllib.parse.urlsplit(self.path)
                rec.requests.append({
                    "method": self.command,
                    "path": url.path,
                    "query": urllib.parse.parse_qsl(url.query, keep_blank_values=True),
                    "form": urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
                    if body and "form" in (self.headers.get("content-type") or "") else [],
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                })
                fwd = urllib.request.Request(rec.target + self.path, data=body or None,
                                             method=self.command)
                for k, v in self.headers.items():
                    if k.lower() not in ("host", "connection", "content-length", "accept-encoding"):
                        fwd.add_header(k, v)
                try:
                    with urllib.request.urlopen(fwd, timeout=10) as r:
                        status, out, ctype = r.status, r.read(), r.headers.get("content-type")
                except urllib.error.HTTPError as e:
                    status, out, ctype = e.code, e.read(), e.headers.get("content-type")
                self.send_response(status)
                self.send_header("content-type", ctype or "text/plain")
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = _any

        self.plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.tls = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(SHARED / "server_cert.pem", SHARED / "server_key.pem")
        self.tls.socket = ctx.wrap_socket(self.tls.socket, server_side=True)
        for s in (self.plain, self.tls):
            threading.Thread(target=s.serve_forever, daemon=True).start()

    @property
    def plain_port(self) -> int:
        return self.plain.server_address[1]

    @property
    def tls_port(self) -> int:
        return self.tls.server_address[1]

    def take(self) -> list[dict]:
        out, self.requests = self.requests, []
        return out

    def close(self):
        for s in (self.plain, self.tls):
            s.shutdown()
            s.server_close()


def official(code: str, env: dict | None = None) -> dict:
    """Runs `code` with the official library in a fresh interpreter (it reads the environment
    once, at import); the code prints one JSON line."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    e.update({"REQUESTS_CA_BUNDLE": str(CA), "SSL_CERT_FILE": str(CA), "HOME": "/nonexistent"})
    e.update(env or {})
    out = subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def rfc3986(s: str) -> str:
    return urllib.parse.quote(s, safe="-_.~")


def rpc_signature(method: str, params: list[tuple[str, str]], secret: str) -> str:
    """The POP (RPC V1) signature computed here, independently of both clients."""
    pairs = sorted((k, v) for k, v in params if k != "Signature")
    canonical = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in pairs)
    sts = f"{method}&{rfc3986('/')}&{rfc3986(canonical)}"
    mac = hmac.new((secret + "&").encode(), sts.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


@pytest.fixture()
def sts_recorder(emulator):
    rec = Recorder(emulator.info["sts_endpoint"])
    yield rec
    rec.close()


def test_assume_role_same_parameters_and_valid_signatures(emulator, sts_recorder, tmp_path):
    got = official(f"""
import json
from alibabacloud_credentials.provider.ram_role_arn import RamRoleArnCredentialsProvider
p = RamRoleArnCredentialsProvider(access_key_id={emulator.ak!r}, access_key_secret={emulator.secret!r},
    role_arn={ROLE_ARN!r}, role_session_name="interop", duration_seconds=1800, policy={POLICY!r},
    external_id="abcd1234", sts_endpoint="127.0.0.1:{sts_recorder.tls_port}")
c = p.get_credentials()
print(json.dumps({{"id": c.get_access_key_id(), "token": bool(c.get_security_token())}}))
""")
    assert got["id"].startswith("STS.") and got["token"]
    (theirs,) = sts_recorder.take()

    # kmskit: the same inputs through a CLI profile, STS reached through the plain listener.
    home = tmp_path / "home"
    (home / ".aliyun").mkdir(parents=True)
    (home / ".aliyun" / "config.json").write_text(json.dumps({"current": "r", "profiles": [{
        "name": "r", "mode": "RamRoleArn", "access_key_id": emulator.ak,
        "access_key_secret": emulator.secret, "ram_role_arn": ROLE_ARN,
        "ram_session_name": "interop", "expired_seconds": 1800, "policy": POLICY,
        "external_id": "abcd1234"}]}))
    key = run_cli(emulator, "call", "CreateKey", "--param", "KeySpec=Aliyun_AES_256")
    key_id = key["KeyMetadata"]["KeyId"]
    out = _kmskit(emulator, home, "--profile", "r", "--sts-endpoint",
                  f"http://127.0.0.1:{sts_recorder.plain_port}",
                  "encrypt", "--key-id", key_id, "--plaintext", "interop")
    assert out["KeyId"] == key_id
    (ours,) = sts_recorder.take()

    for r in (theirs, ours):
        assert (r["method"], r["path"]) == ("GET", "/"), r
        assert r["form"] == []
        params = r["query"]
        sig = dict(params)["Signature"]
        assert sig == rpc_signature("GET", params, emulator.secret), r
    strip = lambda r: [(k, v) for k, v in r["query"] if k not in VOLATILE]
    # Same parameters, same values, in the same wire order.
    assert strip(ours) == strip(theirs)


def _kmskit(emulator, home: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
    env["HOME"] = str(home)
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    out = subprocess.run([str(CLI), "--endpoint", emulator.endpoint_url, *args], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_ecs_metadata_same_requests(emulator, tmp_path):
    rec = Recorder(emulator.info["metadata_endpoint"])
    try:
        got = official(f"""
import json, socket
_real = socket.getaddrinfo
def _map(host, port, *a, **k):
    if host == "100.100.100.200" and int(port) == 80:
        return _real("127.0.0.1", {rec.plain_port}, *a, **k)
    return _real(host, port, *a, **k)
socket.getaddrinfo = _map
from alibabacloud_credentials.provider.ecs_ram_role import EcsRamRoleCredentialsProvider
p = EcsRamRoleCredentialsProvider(async_update_enabled=False)
c = p.get_credentials()
print(json.dumps({{"id": c.get_access_key_id(), "token": bool(c.get_security_token())}}))
""")
        assert got["id"].startswith("STS.") and got["token"]
        theirs = rec.take()

        key = run_cli(emulator, "call", "CreateKey", "--param", "KeySpec=Aliyun_AES_256")
        key_id = key["KeyMetadata"]["KeyId"]
        home = tmp_path / "empty-home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("ALIBABA_CLOUD_")}
        env["HOME"] = str(home)
        out = subprocess.run(
            [str(CLI), "--endpoint", emulator.endpoint_url, "--metadata-endpoint",
             f"http://127.0.0.1:{rec.plain_port}", "encrypt", "--key-id", key_id,
             "--plaintext", "from the instance role"],
            env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        ours = rec.take()
    finally:
        rec.close()

    def shape(reqs):
        return [(r["method"], r["path"],
                 r["headers"].get("x-aliyun-ecs-metadata-token-ttl-seconds"),
                 "x-aliyun-ecs-metadata-token" in r["headers"]) for r in reqs]

    role = emulator.info["metadata_role_name"]
    # Discovery then credentials, each GET with a fresh IMDSv2 token: PUT, GET role, PUT, GET.
    assert shape(theirs) == [
        ("PUT", "/latest/api/token", "21600", False),
        ("GET", "/latest/meta-data/ram/security-credentials/", None, True),
        ("PUT", "/latest/api/token", "21600", False),
        ("GET", f"/latest/meta-data/ram/security-credentials/{role}", None, True),
    ], theirs
    # kmskit sends the same requests but keeps the token for its TTL instead of asking again.
    assert shape(ours) == [s for i, s in enumerate(shape(theirs)) if i != 2], ours
