#!/usr/bin/env python3
"""Capture signing vectors from the official Alibaba Cloud KMS Python SDK.

Drives alibabacloud-kms20160120 (tea-openapi 0.4.6) against a capture HTTP server on 127.0.0.1
with a pinned clock, pinned nonces and a pinned User-Agent platform part, records every request
exactly as it arrives (wire order, wire case), spies on what the SDK itself fed to SHA-256 and
HMAC, and re-verifies every request with a small independent verifier (stdlib only).

Output: tests/vectors/openapi-captured.json (same shape as shared/vectors/kms-openapi-requests.json).
Run through scripts/capture-vectors (it uses the .venv-interop interpreter made by scripts/setup-interop).
The output is byte-identical across runs; `--check` exits non-zero if the file on disk differs.

Endpoints are virtual hosts (kms.cn-hangzhou.aliyuncs.com, ...): every TCP connect that urllib3
makes is routed to the loopback capture server, so the signed `host` header does not depend on
the ephemeral port.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import os
import socket
import sys
import threading
import types
import urllib.parse
from datetime import datetime as _real_datetime
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "openapi-captured.json")

PINNED_TIME = _real_datetime(2024, 5, 1, 8, 9, 10)
PINNED_TIMESTAMP = "2024-05-01T08:09:10Z"
AK = "LTAI5tFakeAccessKeyId01"
SECRET = "FakeAccessKeySecretForVectors0123456789"
STS_AK = "STS.NUgYrLnoC37mZZCNnAbez2nTs"
STS_SECRET = "FakeStsAccessKeySecretForVectors98765"
STS_TOKEN = "CAIS+fakeSecurityToken/ForVectors==0123456789abcdefABCDEF+/="
REGION = "cn-hangzhou"
HOST = "kms.cn-hangzhou.aliyuncs.com"
KEY_ID = "key-hzz62f1cb66fy8gwlnt9e"
REQUEST_ID = "A7B6F2C1-0000-4D3E-9F00-000000000001"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

PACKAGES = [
    "alibabacloud-kms20160120", "alibabacloud-tea-openapi", "darabonba-core",
    "alibabacloud-openapi-util", "alibabacloud-tea-util", "alibabacloud-gateway-pop",
    "alibabacloud-credentials", "alibabacloud-tea", "requests", "urllib3",
]

for _k in list(os.environ):
    if _k.lower() in ("http_proxy", "https_proxy", "all_proxy", "alibaba_cloud_user_agent"):
        del os.environ[_k]
os.environ["NO_PROXY"] = "*"

# --------------------------------------------------------------------------------------------
# Pinning and spying (must happen before the SDK builds any request)

import Tea  # noqa: E402
import alibabacloud_tea_openapi.utils as oa_utils  # noqa: E402
from alibabacloud_tea_openapi.utils import Utils  # noqa: E402
import alibabacloud_openapi_util.client as oa_util_legacy  # noqa: E402
import alibabacloud_tea_util.client as tea_util  # noqa: E402
import alibabacloud_darabonba_signature_util.signer as dara_signer  # noqa: E402
import alibabacloud_darabonba_encode_util.encoder as dara_encoder  # noqa: E402
import urllib3.util.connection as u3conn  # noqa: E402
from darabonba.core import DaraCore  # noqa: E402

SPY = {"hmac": [], "hash": [], "sleeps": []}
NONCES: list[str] = []


def _as_text(b):
    if isinstance(b, str):
        return b
    return bytes(b).decode("utf-8")


class _PinnedDateTime(_real_datetime):
    @classmethod
    def utcnow(cls):
        return PINNED_TIME

    @classmethod
    def now(cls, tz=None):
        return PINNED_TIME if tz is None else PINNED_TIME.replace(tzinfo=tz)


class _HmacSpy:
    @staticmethod
    def new(key, msg=None, digestmod=None):
        if msg is not None:
            SPY["hmac"].append(_as_text(msg))
        return hmac.new(key, msg, digestmod)

    compare_digest = staticmethod(hmac.compare_digest)


class _HashlibSpy:
    md5 = staticmethod(hashlib.md5)
    sha1 = staticmethod(hashlib.sha1)

    @staticmethod
    def sha256(data=b"", **kw):
        SPY["hash"].append(_as_text(data))
        return hashlib.sha256(data, **kw)

    def __getattr__(self, name):
        return getattr(hashlib, name)


_platform = types.SimpleNamespace(system=lambda: "Linux", machine=lambda: "x86_64",
                                  python_version=lambda: "3.11.7")


def _next_nonce():
    if not NONCES:
        raise RuntimeError("capture: the SDK asked for more nonces than the case pinned")
    return NONCES.pop(0)


def install_pins():
    oa_utils.datetime = _PinnedDateTime
    oa_utils.hmac = _HmacSpy
    oa_utils.hashlib = _HashlibSpy()
    oa_utils.platform = _platform
    Utils.get_nonce = staticmethod(_next_nonce)
    # V4 (gateway-pop) uses the legacy util packages for time and nonce.
    oa_util_legacy.datetime = types.SimpleNamespace(datetime=_PinnedDateTime)
    oa_util_legacy.hashlib = _HashlibSpy()
    tea_util.platform = _platform
    tea_util.Client.get_nonce = staticmethod(_next_nonce)
    dara_signer.hmac = _HmacSpy
    dara_signer.hashlib = _HashlibSpy()
    dara_encoder.hashlib = _HashlibSpy()
    DaraCore.sleep = staticmethod(lambda ms: SPY["sleeps"].append(ms))
    assert Tea.__version__ == "0.4.3", Tea.__version__


# --------------------------------------------------------------------------------------------
# Capture server

class CaptureState:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.scripted: list[dict] = []
        self.default_body: dict = {}


STATE = CaptureState()


class CaptureHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the console quiet
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.path
        path, _, raw_query = target.partition("?")
        try:
            body_text, body_b64 = body.decode("utf-8"), None
        except UnicodeDecodeError:
            body_text, body_b64 = None, base64.b64encode(body).decode()
        rec = {
            "method": self.command,
            "request_target": target,
            "path": path,
            "raw_query": raw_query,
            "headers": [[k, v] for k, v in self.headers.raw_items()],
            "query_sorted": sorted(urllib.parse.parse_qsl(raw_query, keep_blank_values=True),
                                   key=lambda kv: kv[0]),
            "body": body_text,
            "body_base64": body_b64,
        }
        rec["query_sorted"] = [list(kv) for kv in rec["query_sorted"]]
        with STATE.lock:
            STATE.requests.append(rec)
            resp = STATE.scripted.pop(0) if STATE.scripted else {
                "status": 200, "headers": {}, "body": STATE.default_body}
        payload = json.dumps(resp["body"], ensure_ascii=False).encode("utf-8")
        self.send_response(resp["status"])
        self.send_header("Content-Type", "application/json;charset=utf-8")
        for k, v in resp.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = _handle
    do_GET = _handle


def start_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CaptureHandler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    real_create = u3conn.create_connection

    def routed(address, *args, **kw):
        # Every virtual host goes to the loopback capture server; nothing else is reachable.
        return real_create(("127.0.0.1", port), *args, **kw)

    u3conn.create_connection = routed
    return srv, port


# --------------------------------------------------------------------------------------------
# Independent verifier (stdlib only; does not share code with the SDK)

def _pct(s: str) -> str:
    return urllib.parse.quote(s, safe="~")


def _header_map(headers):
    m: dict[str, list[str]] = {}
    for k, v in headers:
        m.setdefault(k.lower(), []).append(v)
    return m


def _body_bytes(req):
    if req["body_base64"] is not None:
        return base64.b64decode(req["body_base64"])
    return (req["body"] or "").encode("utf-8")


def _canonical_parts(req, signed):
    hm = _header_map(req["headers"])
    pairs = urllib.parse.parse_qsl(req["raw_query"], keep_blank_values=True)
    cq = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(pairs, key=lambda kv: kv[0]))
    ch = "".join(f"{n}:{','.join(sorted(v.strip() for v in hm.get(n, [])))}\n" for n in signed)
    return hm, cq, ch


def verify(req, secrets):
    hm = _header_map(req["headers"])
    auth = (hm.get("authorization") or [None])[0]
    body = _body_bytes(req)
    out = {"ok": False, "scheme": None, "error": None}
    if auth and auth.startswith("ACS3-HMAC-SHA256 "):
        out["scheme"] = "ACS3"
        fields = dict(p.split("=", 1) for p in auth.split(" ", 1)[1].split(","))
        ak, signed = fields["Credential"], fields["SignedHeaders"].split(";")
        payload_hash = hashlib.sha256(body).hexdigest()
        if hm.get("x-acs-content-sha256") != [payload_hash]:
            out["error"] = "x-acs-content-sha256 does not match the body"
        _, cq, ch = _canonical_parts(req, signed)
        creq = "\n".join([req["method"], req["path"] or "/", cq, ch, ";".join(signed), payload_hash])
        sts = "ACS3-HMAC-SHA256\n" + hashlib.sha256(creq.encode("utf-8")).hexdigest()
        sig = hmac.new(secrets[ak].encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).hexdigest()
        out.update(access_key_id=ak, canonical_request=creq, string_to_sign=sts,
                   signed_headers=signed, expected_signature=sig)
        out["ok"] = out["error"] is None and hmac.compare_digest(sig, fields["Signature"])
    elif auth and auth.startswith("ACS4-HMAC-SHA256 "):
        out["scheme"] = "ACS4"
        fields = dict(p.split("=", 1) for p in auth.split(" ", 1)[1].split(","))
        ak, date, region, product, term = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        payload_hash = hashlib.sha256(body).hexdigest()
        _, cq, ch = _canonical_parts(req, signed)
        creq = "\n".join([req["method"], req["path"] or "/", cq, ch, ";".join(signed), payload_hash])
        sts = "ACS4-HMAC-SHA256\n" + hashlib.sha256(creq.encode("utf-8")).hexdigest()
        k = ("aliyun_v4" + secrets[ak]).encode("utf-8")
        for part in (date, region, product, term):
            k = hmac.new(k, part.encode("utf-8"), hashlib.sha256).digest()
        sig = hmac.new(k, sts.encode("utf-8"), hashlib.sha256).hexdigest()
        out.update(access_key_id=ak, credential_scope=f"{date}/{region}/{product}/{term}",
                   canonical_request=creq, string_to_sign=sts, signed_headers=signed,
                   expected_signature=sig)
        out["ok"] = hmac.compare_digest(sig, fields["Signature"])
    else:
        out["scheme"] = "RPC-V1"
        params = urllib.parse.parse_qsl(req["raw_query"], keep_blank_values=True)
        ctype = (hm.get("content-type") or [""])[0]
        if ctype.startswith("application/x-www-form-urlencoded"):
            params += urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        given = [v for k, v in params if k == "Signature"]
        params = [(k, v) for k, v in params if k != "Signature"]
        ak = dict(params).get("AccessKeyId")
        canon = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params, key=lambda kv: kv[0]))
        sts = f"{req['method']}&%2F&{_pct(canon)}"
        sig = base64.b64encode(hmac.new((secrets[ak] + "&").encode("utf-8"), sts.encode("utf-8"),
                                        hashlib.sha1).digest()).decode()
        out.update(access_key_id=ak, canonical_request=canon, string_to_sign=sts,
                   expected_signature=sig)
        out["ok"] = len(given) == 1 and hmac.compare_digest(sig, given[0])
    return out


# --------------------------------------------------------------------------------------------
# Cases

TRICKY_ALL = "a b+c/d=e~f*g%h&i?j#k!l'm(n)o:p@q;r,s$t[u]v\nw\tx é 中文 🔐"


def _nonces(name, n=1):
    return [hashlib.md5(f"kmskit-vector/{name}/{i}".encode()).hexdigest() for i in range(n)]


RESP = {
    "Encrypt": {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmS7FmDBBQ0BkKsQrtRnidtPwirmDcS0Zu",
                "KeyId": KEY_ID, "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80001",
                "RequestId": REQUEST_ID},
    "Decrypt": {"KeyId": KEY_ID, "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80001",
                "Plaintext": "SGVsbG8gd29ybGQ=", "RequestId": REQUEST_ID},
    "GenerateDataKey": {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJm",
                        "KeyId": KEY_ID, "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80001",
                        "Plaintext": "QmFzZTY0RW5jb2RlZERhdGFLZXlCeXRlczMyISEhISE=",
                        "RequestId": REQUEST_ID},
    "GenerateDataKeyWithoutPlaintext": {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNm",
                                        "KeyId": KEY_ID,
                                        "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80001",
                                        "RequestId": REQUEST_ID},
    "ReEncrypt": {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJm",
                  "KeyId": KEY_ID, "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80002",
                  "RequestId": REQUEST_ID},
    "AsymmetricSign": {"KeyId": KEY_ID, "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80003",
                       "Value": "c2lnbmF0dXJlLWJ5dGVz", "RequestId": REQUEST_ID},
    "GetSecretValue": {"AutomaticRotation": "Disabled", "CreateTime": "2024-02-21T15:39:26Z",
                       "RequestId": REQUEST_ID, "SecretData": "testdata1", "SecretDataType": "text",
                       "SecretName": "secret001", "SecretType": "Generic", "VersionId": "v1",
                       "VersionStages": {"VersionStage": ["ACSCurrent"]}},
    "BatchGetSecretValue": {"RequestId": REQUEST_ID, "SecretValues": [
        {"SecretName": "secret001", "SecretData": "testdata1", "SecretDataType": "text",
         "VersionId": "v1", "VersionStages": {"VersionStage": ["ACSCurrent"]}}], "Errors": []},
    "CreateSecret": {"Arn": "acs:kms:cn-hangzhou:1234567890123456:secret/secret001",
                     "RequestId": REQUEST_ID, "SecretName": "secret001", "SecretType": "Generic",
                     "VersionId": "v1", "AutomaticRotation": "Disabled"},
    "PutSecretValue": {"RequestId": REQUEST_ID, "SecretName": "secret001", "VersionId": "v2",
                       "VersionStages": {"VersionStage": ["ACSCurrent"]}},
    "ListKeys": {"Keys": {"Key": [{"KeyArn": "acs:kms:cn-hangzhou:1234567890123456:key/" + KEY_ID,
                                   "KeyId": KEY_ID}]},
                 "PageNumber": 2, "PageSize": 10, "TotalCount": 11, "RequestId": REQUEST_ID},
    "DescribeKey": {"KeyMetadata": {"KeyId": KEY_ID, "KeySpec": "Aliyun_AES_256", "KeyState": "Enabled",
                                    "KeyUsage": "ENCRYPT/DECRYPT", "Origin": "Aliyun_KMS",
                                    "CreationDate": "2024-05-01T08:09:10Z"},
                    "RequestId": REQUEST_ID},
    "CreateKey": {"KeyMetadata": {"KeyId": KEY_ID, "KeySpec": "Aliyun_AES_256", "KeyState": "Enabled",
                                  "KeyUsage": "ENCRYPT/DECRYPT", "Origin": "Aliyun_KMS",
                                  "AutomaticRotation": "Disabled",
                                  "CreationDate": "2024-05-01T08:09:10Z"},
                  "RequestId": REQUEST_ID},
}

V3 = {"signature_algorithm": None, "signature_version": None, "user_agent": None,
      "retry_options": None, "network": None}
V1 = dict(V3, signature_algorithm="v2")
V4 = dict(V3, signature_version="v4")

RETRY_OPTIONS = {"retryable": True, "retryCondition": [
    {"maxAttempts": 3, "errorCode": ["ServiceUnavailable", "Throttling"], "exception": [],
     "backoff": {"policy": "Fixed", "period": 250}, "maxDelay": 5000}], "noRetryCondition": []}


def case(name, description, action, params, *, config=V3, endpoint=HOST, sts=False,
         server_responses=(), attempts=1, region=REGION):
    return {"name": name, "description": description, "action": action, "params": params,
            "config": config, "endpoint": endpoint, "sts": sts, "region": region,
            "server_responses": list(server_responses), "attempts": attempts}


CTX_ORDER = {"zeta": "inserted first", "alpha": "second", "Mid": "third",
             "nested": {"k2": "v2", "k1": ["x", 1, {"b": 2, "a": 1}]}}
CTX_TYPES = {"unicode": "é 中文 🔐", "int": 42, "negative": -7, "float": 1.5, "true": True,
             "false": False, "null": None, "quote": 'say "hi"', "backslash": "C:\\dir\\file",
             "both": "\\\"", "space and+plus": "a b+c"}

CASES = [
    # ---- V3 (ACS3-HMAC-SHA256, default) -------------------------------------------------
    case("v3_encrypt_plaintext_space", "Space in a query value: '+' on the wire, %20 when canonicalised.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "hello world  two spaces"}),
    case("v3_encrypt_plaintext_reserved", "Every reserved / sub-delim ASCII character once.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "+/=~*%&?#!'():@;,$[]"}),
    case("v3_encrypt_plaintext_percent_sequences", "Literal '%20', '%2B' and '+' must be re-encoded, not decoded twice.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "100%25 %20 %2B +%"}),
    case("v3_encrypt_plaintext_newline_tab", "Control characters: LF, TAB, CR.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "line1\nline2\tcol\r\nend"}),
    case("v3_encrypt_plaintext_unicode", "Non-ASCII: 2-, 3- and 4-byte UTF-8.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "é 中文 🔐"}),
    case("v3_encrypt_plaintext_empty", "Empty Plaintext: sent as 'Plaintext=' and canonicalised as 'Plaintext='.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": ""}),
    case("v3_encrypt_plaintext_all_classes", "All tricky classes in one value.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": TRICKY_ALL}),
    case("v3_encrypt_plaintext_base64", "Typical base64 payload with + / =.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "+/8AAP//+w==/+"}),
    case("v3_encrypt_alias_key_id", "KeyId given as an alias containing '/', space and '+'.",
         "Encrypt", {"KeyId": "alias/my key+1", "Plaintext": "SGVsbG8="}),
    case("v3_encrypt_context_insertion_order", "EncryptionContext: compact JSON in insertion order (not sorted), nested objects and arrays.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8=", "EncryptionContext": CTX_ORDER}),
    case("v3_encrypt_context_value_types", "EncryptionContext: raw UTF-8, ints, float, true/false/null, '\"' and '\\' escapes.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8=", "EncryptionContext": CTX_TYPES}),
    case("v3_encrypt_context_empty", "EncryptionContext = {} is still sent ('{}').",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8=", "EncryptionContext": {}}),
    case("v3_decrypt_no_context", "Decrypt: CiphertextBlob in the query, form content-type with empty body.",
         "Decrypt", {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNm+/8AAP//+w=="}),
    case("v3_decrypt_with_context", "Decrypt with EncryptionContext.",
         "Decrypt", {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNm+/8AAP//+w==",
                     "EncryptionContext": {"purpose": "vector test", "tenant": "t-1"}}),
    case("v3_decrypt_recipient_body", "Decrypt with Recipient: the only param that travels in the form body.",
         "Decrypt", {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNm",
                     "Recipient": '{"KeyEncryptionAlgorithm":"RSAES_OAEP_SHA_256","AttestationDocument":"YWJj+/=="}'}),
    case("v3_generate_data_key_number_of_bytes", "GenerateDataKey with NumberOfBytes (int).",
         "GenerateDataKey", {"KeyId": KEY_ID, "NumberOfBytes": 32}),
    case("v3_generate_data_key_key_spec", "GenerateDataKey with KeySpec and EncryptionContext.",
         "GenerateDataKey", {"KeyId": KEY_ID, "KeySpec": "AES_128", "EncryptionContext": {"app": "vectors"}}),
    case("v3_generate_data_key_without_plaintext", "GenerateDataKeyWithoutPlaintext: no body, so no content-type.",
         "GenerateDataKeyWithoutPlaintext", {"KeyId": KEY_ID, "KeySpec": "AES_256", "NumberOfBytes": 32}),
    case("v3_reencrypt_contexts", "ReEncrypt with Source/DestinationEncryptionContext (two shrunk JSON params).",
         "ReEncrypt", {"CiphertextBlob": "ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNm",
                       "DestinationKeyId": "alias/dest", "SourceEncryptionContext": {"a": "1"},
                       "DestinationEncryptionContext": {"b": "2", "a": "1"}}),
    case("v3_get_secret_value_version_id", "GetSecretValue by VersionId.",
         "GetSecretValue", {"SecretName": "secret001", "VersionId": "v1"}),
    case("v3_get_secret_value_version_stage", "GetSecretValue by VersionStage ACSPrevious.",
         "GetSecretValue", {"SecretName": "secret001", "VersionStage": "ACSPrevious"}),
    case("v3_get_secret_value_fetch_extended_true", "FetchExtendedConfig=True serialises as 'True'.",
         "GetSecretValue", {"SecretName": "secret001", "FetchExtendedConfig": True}),
    case("v3_get_secret_value_fetch_extended_false", "FetchExtendedConfig=False serialises as 'False' (still sent).",
         "GetSecretValue", {"SecretName": "secret001", "FetchExtendedConfig": False}),
    case("v3_batch_get_secret_value", "SecretsList: JSON array; element keys in model to_map order.",
         "BatchGetSecretValue", {"SecretsList": [
             {"SecretName": "secret001", "VersionStage": "ACSCurrent"},
             {"SecretName": "db/pass word", "VersionId": "v2", "FetchExtendedConfig": True}]}),
    case("v3_create_secret_body", "CreateSecret: SecretData in the form body with & = + % and UTF-8, hashed into x-acs-content-sha256.",
         "CreateSecret", {"SecretName": "secret001", "VersionId": "v1", "SecretDataType": "text",
                          "SecretData": "user=admin&pass=p+w%d é 中文 🔐\n{\"k\":\"v\"}",
                          "Description": "vector secret", "EnableAutomaticRotation": False}),
    case("v3_put_secret_value", "PutSecretValue: SecretData in the body, VersionStages a JSON string in the query.",
         "PutSecretValue", {"SecretName": "secret001", "VersionId": "v2",
                            "SecretData": "{\"password\":\"a&b=c+d%e\"}",
                            "VersionStages": "[\"ACSCurrent\",\"custom stage\"]"}),
    case("v3_list_keys", "ListKeys with PageNumber/PageSize ints.",
         "ListKeys", {"PageNumber": 2, "PageSize": 10}),
    case("v3_describe_key", "DescribeKey.", "DescribeKey", {"KeyId": KEY_ID}),
    case("v3_create_key_rotation_false", "CreateKey with EnableAutomaticRotation=False ('False').",
         "CreateKey", {"KeySpec": "Aliyun_AES_256", "KeyUsage": "ENCRYPT/DECRYPT", "Origin": "Aliyun_KMS",
                       "ProtectionLevel": "SOFTWARE", "Description": "my key é",
                       "EnableAutomaticRotation": False}),
    case("v3_asymmetric_sign", "AsymmetricSign: Digest base64 in the query.",
         "AsymmetricSign", {"KeyId": KEY_ID, "KeyVersionId": "2ab1a983-7072-4bbc-a582-584b5bd80003",
                            "Algorithm": "RSA_PSS_SHA_256",
                            "Digest": "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw+/="}),
    case("v3_sts_encrypt", "STS credentials: x-acs-accesskey-id and x-acs-security-token signed, provider static_sts.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8="}, sts=True),
    case("v3_sts_get_secret_value", "STS GetSecretValue (form content-type, empty body).",
         "GetSecretValue", {"SecretName": "secret001", "VersionStage": "ACSCurrent"}, sts=True),
    case("v3_custom_user_agent", "Config.user_agent is appended to the default UA after a space (and signed).",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8="},
         config=dict(V3, user_agent="kmskit-vectors/1.0 (+test)")),
    case("v3_vpc_endpoint", "Explicit VPC endpoint host.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8="}, endpoint="kms-vpc.cn-hangzhou.aliyuncs.com"),
    case("v3_vpc_endpoint_from_network", "No endpoint; Config.network='vpc' derives kms-vpc.<region>.aliyuncs.com.",
         "DescribeKey", {"KeyId": KEY_ID}, endpoint=None, config=dict(V3, network="vpc")),
    case("v3_region_endpoint_derived", "No endpoint; region cn-shanghai derives kms.cn-shanghai.aliyuncs.com.",
         "DescribeKey", {"KeyId": KEY_ID}, endpoint=None, region="cn-shanghai"),
    case("v3_dedicated_gateway_encrypt", "Dedicated KMS instance gateway host.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8="},
         endpoint="kst-hzz6xxxxxxxx.cryptoservice.kms.aliyuncs.com"),
    case("v3_endpoint_with_port", "Endpoint with a port: host header (signed) keeps ':8443'.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8="}, endpoint="127.0.0.1:8443"),
    case("v3_retry_503_then_ok", "Config.retry_options: 503 ServiceUnavailable then 200; 2nd attempt adds signed x-acs-retry-attempts/x-acs-retry-delay and a fresh nonce.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "QQ=="},
         config=dict(V3, retry_options=RETRY_OPTIONS), attempts=2,
         server_responses=[{"status": 503, "headers": {},
                            "body": {"RequestId": "E5", "Code": "ServiceUnavailable", "Message": "temporary"}}]),
    # ---- V1 (RPC, HMAC-SHA1, signature_algorithm='v2') ------------------------------------
    case("v1_encrypt_basic", "RPC V1: HMAC-SHA1 Signature in the query.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8gd29ybGQ="}, config=V1),
    case("v1_encrypt_special_chars", "RPC V1 with every tricky character class in Plaintext.",
         "Encrypt", {"KeyId": "alias/my key+1", "Plaintext": TRICKY_ALL}, config=V1),
    case("v1_encrypt_context", "RPC V1 with EncryptionContext (compact JSON, raw UTF-8).",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": "SGVsbG8=", "EncryptionContext": CTX_TYPES}, config=V1),
    case("v1_sts_generate_data_key", "RPC V1 with STS: SecurityToken query param (signed).",
         "GenerateDataKey", {"KeyId": KEY_ID, "NumberOfBytes": 32, "EncryptionContext": {"app": "vectors"}},
         config=V1, sts=True),
    case("v1_get_secret_value_body", "RPC V1 GetSecretValue: form content-type, FetchExtendedConfig 'True'.",
         "GetSecretValue", {"SecretName": "secret001", "VersionStage": "ACSCurrent", "FetchExtendedConfig": True},
         config=V1),
    case("v1_create_secret_body", "RPC V1 CreateSecret: SecretData in the form body IS part of the signed params.",
         "CreateSecret", {"SecretName": "secret001", "VersionId": "v1", "SecretDataType": "text",
                          "SecretData": "user=admin&pass=p+w%d é 中文 🔐"}, config=V1),
    case("v1_create_key", "RPC V1 CreateKey with EnableAutomaticRotation=False.",
         "CreateKey", {"KeySpec": "Aliyun_AES_256", "KeyUsage": "ENCRYPT/DECRYPT",
                       "EnableAutomaticRotation": False}, config=V1),
    # ---- V4 (ACS4-HMAC-SHA256, signature_version='v4') ------------------------------------
    case("v4_encrypt_context", "ACS4 Encrypt with EncryptionContext and tricky Plaintext.",
         "Encrypt", {"KeyId": KEY_ID, "Plaintext": TRICKY_ALL, "EncryptionContext": CTX_ORDER}, config=V4),
    case("v4_sts_create_secret_body", "ACS4 with STS and a form body.",
         "CreateSecret", {"SecretName": "secret001", "VersionId": "v1",
                          "SecretData": "user=admin&pass=p+w%d é"}, config=V4, sts=True),
]


def _snake(action):
    out = ""
    for i, ch in enumerate(action):
        if ch.isupper() and i:
            out += "_"
        out += ch.lower()
    return out


def run_case(c):
    from alibabacloud_kms20160120.client import Client
    from alibabacloud_kms20160120 import models
    from alibabacloud_tea_openapi.utils_models import Config
    from darabonba.runtime import RuntimeOptions
    from darabonba.policy.retry import RetryOptions

    cfg = c["config"]
    ak, secret, token = (STS_AK, STS_SECRET, STS_TOKEN) if c["sts"] else (AK, SECRET, None)
    kwargs = dict(access_key_id=ak, access_key_secret=secret, region_id=c["region"], protocol="http")
    if token:
        kwargs["security_token"] = token
    if c["endpoint"]:
        kwargs["endpoint"] = c["endpoint"]
    for k in ("signature_algorithm", "signature_version", "user_agent", "network"):
        if cfg.get(k):
            kwargs[k] = cfg[k]
    if cfg.get("retry_options"):
        kwargs["retry_options"] = RetryOptions(cfg["retry_options"])
    client = Client(Config(**kwargs))

    nonces = _nonces(c["name"], c["attempts"])
    NONCES[:] = list(nonces)
    SPY["hmac"].clear(), SPY["hash"].clear(), SPY["sleeps"].clear()
    with STATE.lock:
        STATE.requests.clear()
        STATE.scripted[:] = [dict(r) for r in c["server_responses"]]
        STATE.default_body = RESP[c["action"]]

    req = getattr(models, c["action"] + "Request")().from_map(json.loads(json.dumps(c["params"])))
    method = _snake(c["action"]) + "_with_options"
    try:
        resp = getattr(client, method)(req, RuntimeOptions())
        result = {"kind": "ok", "status_code": resp.status_code, "body": resp.body.to_map()}
    except Exception as e:  # recorded, then judged below
        result = {"kind": "exception", "class": type(e).__name__,
                  "code": getattr(e, "code", None), "message": str(getattr(e, "message", e))}
    if NONCES:
        raise RuntimeError(f"{c['name']}: {len(NONCES)} pinned nonce(s) unused")

    with STATE.lock:
        requests = [dict(r) for r in STATE.requests]
    secrets = {AK: SECRET, STS_AK: STS_SECRET}
    verification = []
    for r in requests:
        v = verify(r, secrets)
        if v["scheme"] == "ACS4":
            v["matches_sdk_internal"] = (v["canonical_request"] in SPY["hash"]
                                         and v["string_to_sign"] in SPY["hmac"])
        elif v["scheme"] == "ACS3":
            v["matches_sdk_internal"] = (v["canonical_request"] in SPY["hash"]
                                         and v["string_to_sign"] in SPY["hmac"])
        else:
            v["matches_sdk_internal"] = v["string_to_sign"] in SPY["hmac"]
        verification.append(v)

    inputs = {
        "access_key_id": ak, "access_key_secret": secret, "security_token": token,
        "endpoint": c["endpoint"], "protocol": "http", "region_id": c["region"],
        "signature": {None: "ACS3-HMAC-SHA256", "v2": "HMAC-SHA1 (RPC V1)"}[cfg["signature_algorithm"]]
        if cfg["signature_version"] != "v4" else "ACS4-HMAC-SHA256",
        "config": cfg, "runtime_options": None, "action": c["action"], "version": "2016-01-20",
        "sdk_method": method, "params": c["params"], "nonces": nonces,
        "timestamp": PINNED_TIMESTAMP, "server_responses": c["server_responses"],
    }
    return {
        "name": c["name"], "description": c["description"], "inputs": inputs,
        "requests": requests, "verification": verification,
        "sdk_internal": {"hmac_messages": list(SPY["hmac"]), "hash_inputs": list(SPY["hash"]),
                         "backoff_sleeps_ms": list(SPY["sleeps"])},
        "result": result,
    }


def main(argv):
    install_pins()
    srv, _port = start_server()
    cases, problems = [], []
    for c in CASES:
        out = run_case(c)
        if out["result"]["kind"] != "ok":
            problems.append(f"{c['name']}: SDK call failed: {out['result']}")
        if len(out["requests"]) != c["attempts"]:
            problems.append(f"{c['name']}: expected {c['attempts']} request(s), got {len(out['requests'])}")
        for i, v in enumerate(out["verification"]):
            if not v["ok"]:
                problems.append(f"{c['name']}[{i}]: independent verifier disagrees: {v.get('error')}")
            if not v["matches_sdk_internal"]:
                problems.append(f"{c['name']}[{i}]: verifier's string-to-sign is not what the SDK hashed")
            # Negative controls: the verifier must reject a wrong secret and an added query param.
            r = out["requests"][i]
            if verify(r, {k: s + "x" for k, s in {AK: SECRET, STS_AK: STS_SECRET}.items()})["ok"]:
                problems.append(f"{c['name']}[{i}]: verifier accepted a wrong secret")
            tampered = dict(r, raw_query=r["raw_query"] + ("&" if r["raw_query"] else "") + "Extra=1")
            if verify(tampered, {AK: SECRET, STS_AK: STS_SECRET})["ok"]:
                problems.append(f"{c['name']}[{i}]: verifier accepted an extra query param")
        cases.append(out)
    srv.shutdown()
    doc = {
        "generator": "tests/vectors/capture.py (official Python SDK driven against a 127.0.0.1 capture server)",
        "packages": {p: metadata.version(p) for p in PACKAGES},
        "notes": [
            "headers are exactly as received by the server, in wire order, with wire case.",
            "Accept-Encoding and Content-Length are added by urllib3/requests (transport) and are NOT signed.",
            "query_sorted is parse_qsl(raw_query, keep_blank_values=True) sorted by key; raw_query is the exact wire string.",
            "user-agent platform part is pinned to (Linux; x86_64) Python/3.11.7 by the harness; Tea core 0.4.3.",
            "endpoint hosts are virtual: the harness routes every TCP connect to 127.0.0.1:<ephemeral port>, so the signed host header is port-independent. endpoint null = derived by the SDK from region_id/config.network.",
            "inputs.params are by WIRE name with the SDK's native Python types; the harness passes them as <Action>Request().from_map(params) to <action>_with_options(request, RuntimeOptions()).",
            "inputs.nonces are returned, in order, by the patched Utils.get_nonce (one per attempt); inputs.timestamp is the pinned UTC clock.",
            "sdk_internal.hmac_messages: exact messages the SDK HMACed (V3: string-to-sign; V1: string-to-sign; V4: date, region, product, 'aliyun_v4_request', string-to-sign).",
            "sdk_internal.hash_inputs: exact inputs the SDK fed to SHA-256 (payload hash(es), then the canonical request).",
            "verification is recomputed by an independent stdlib verifier from the received request; matches_sdk_internal = its canonical request / string-to-sign are what the SDK itself hashed/HMACed.",
            "credentials are fake; secrets are listed per case in inputs.",
        ],
        "cases": cases,
    }
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if "--check" in argv:
        with open(OUT, encoding="utf-8") as f:
            same = f.read() == text
        print(f"{len(cases)} cases; {OUT} is {'up to date' if same else 'STALE (re-run without --check)'}")
        return 0 if same else 1
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    nreq = sum(len(c["requests"]) for c in cases)
    print(f"wrote {OUT}: {len(cases)} cases, {nreq} requests, all re-verified "
          f"(md5 {hashlib.md5(text.encode()).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
