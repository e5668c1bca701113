"""Wire-protocol interop: the three signature schemes of the official SDK, refusals of bad
signatures, replays and tampering, and Config.retry_options against injected faults."""
import time
import urllib.parse

import pytest
import requests
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from darabonba.policy.retry import RetryOptions

from conftest import call, kms_error, make_client
from test_keys import assert_client_error, new_key
from test_secrets import secret_name

SCHEMES = {
    "acs3_default": {},
    "rpc_v1": {"signature_algorithm": "v2"},
    "acs4": {"signature_version": "v4"},
}


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_each_signature_scheme_full_roundtrip(emulator, scheme):
    c = make_client(emulator, **SCHEMES[scheme])
    kid = new_key(c)["KeyId"]
    ctx = {"scheme": scheme, "chars": "a b&c=d+e%f/g~h*i é 中文 🔐"}
    pt = "plain text with spaces & = + % / ~ * é 🔐"
    enc = call(c, "Encrypt", KeyId=kid, Plaintext=pt, EncryptionContext=ctx)
    assert call(c, "Decrypt", CiphertextBlob=enc["CiphertextBlob"], EncryptionContext=ctx)["Plaintext"] == pt
    gdk = call(c, "GenerateDataKey", KeyId=kid, NumberOfBytes=32)
    assert call(c, "Decrypt", CiphertextBlob=gdk["CiphertextBlob"])["Plaintext"] == gdk["Plaintext"]
    name = secret_name(scheme)
    data = "form body: a&b=c+d%e é 中文 🔐\n"
    call(c, "CreateSecret", SecretName=name, SecretData=data, VersionId="v1")
    call(c, "PutSecretValue", SecretName=name, SecretData=data + "2", VersionId="v2")
    got = call(c, "GetSecretValue", SecretName=name, VersionStage="ACSPrevious", FetchExtendedConfig=True)
    assert got["SecretData"] == data
    body = call(c, "BatchGetSecretValue", SecretsList=[{"SecretName": name, "VersionId": "v2"}])
    assert [v["SecretData"] for v in body["SecretValues"]] == [data + "2"]
    assert call(c, "ListKeys", PageNumber=1, PageSize=1)["TotalCount"] >= 1
    assert call(c, "CreateKey", KeySpec="Aliyun_AES_256", KeyUsage="ENCRYPT/DECRYPT",
                EnableAutomaticRotation=False)["KeyMetadata"]["KeyState"] == "Enabled"


def test_custom_user_agent_is_accepted(emulator):
    c = make_client(emulator, user_agent="kmskit-interop/1.0 (+tests; a=b&c)")
    assert call(c, "ListKeys", PageNumber=1, PageSize=1)["RequestId"]


def _err_code(e):
    return getattr(e, "code", None)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_wrong_secret_is_refused(emulator, scheme):
    c = make_client(emulator, access_key_secret=emulator.secret + "-wrong", **SCHEMES[scheme])
    before = emulator.count("Encrypt")
    err = kms_error(c, "Encrypt", KeyId="alias/none", Plaintext="aGk=")
    assert _err_code(err) == "SignatureDoesNotMatch", f"{type(err).__name__}: {err}"
    if scheme != "acs4":  # ACS4 errors surface as UnretryableException (see protocol notes §8)
        assert isinstance(err, ClientException) and err.status_code in (400, 403), err
    assert emulator.count("Encrypt") >= before  # refused requests may or may not be counted


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_unknown_access_key_is_refused(emulator, scheme):
    c = make_client(emulator, access_key_id="LTAI5tUnknownKeyId000", **SCHEMES[scheme])
    err = kms_error(c, "ListKeys")
    assert _err_code(err) in ("InvalidAccessKeyId.NotFound", "InvalidAccessKeyId"), f"{type(err).__name__}: {err}"


class _Wire:
    """Intercepts what the official SDK sends (requests' adapter), optionally rewriting it."""

    def __init__(self, monkeypatch, rewrite=None):
        self.sent = []
        real_send = requests.adapters.HTTPAdapter.send
        wire = self

        def send(adapter, request, *a, **kw):
            if rewrite:
                rewrite(request)
            wire.sent.append(request.copy())
            return real_send(adapter, request, *a, **kw)
        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)


def _set_query(request, name, value):
    u = urllib.parse.urlsplit(request.url)
    q = [(k, value if k == name else v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True)]
    request.url = urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q)))


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_tampered_query_is_refused(emulator, monkeypatch, scheme):
    c = make_client(emulator, **SCHEMES[scheme])
    kid = new_key(c)["KeyId"]
    _Wire(monkeypatch, rewrite=lambda r: _set_query(r, "Plaintext", "dGFtcGVyZWQ="))
    err = kms_error(c, "Encrypt", KeyId=kid, Plaintext="b3JpZ2luYWw=")
    assert _err_code(err) == "SignatureDoesNotMatch", f"{type(err).__name__}: {err}"


def test_tampered_body_is_refused(emulator, monkeypatch):
    c = make_client(emulator)

    def rewrite(r):
        if r.body:
            r.body = r.body.replace("original", "tampered") if isinstance(r.body, str) else r.body.replace(b"original", b"tampered")
    _Wire(monkeypatch, rewrite=rewrite)
    err = kms_error(c, "CreateSecret", SecretName=secret_name("tamper"), SecretData="original", VersionId="v1")
    assert _err_code(err) in ("SignatureDoesNotMatch", "InvalidParameter", "IncompleteSignature"), f"{err}"


def test_tampered_signed_header_is_refused(emulator, monkeypatch):
    c = make_client(emulator)

    def rewrite(r):
        r.headers["x-acs-action"] = "DescribeKey"
    _Wire(monkeypatch, rewrite=rewrite)
    err = kms_error(c, "ListKeys")
    assert _err_code(err) == "SignatureDoesNotMatch", f"{type(err).__name__}: {err}"


@pytest.mark.parametrize("scheme", ["acs3_default", "rpc_v1"])
def test_replayed_request_is_refused(emulator, monkeypatch, scheme):
    c = make_client(emulator, **SCHEMES[scheme])
    wire = _Wire(monkeypatch)
    call(c, "ListKeys", PageNumber=1, PageSize=1)
    sent = wire.sent[-1]
    r = requests.Session().send(sent, timeout=10)
    assert r.status_code == 400, (r.status_code, r.text)
    assert r.json().get("Code") == "SignatureNonceUsed", r.text


def _retry_options(exceptions, max_attempts=3):
    return RetryOptions({"retryable": True, "retryCondition": [
        {"maxAttempts": max_attempts, "exception": exceptions, "errorCode": [],
         "backoff": {"policy": "Fixed", "period": 50}, "maxDelay": 1000}], "noRetryCondition": []})


def test_retry_options_recover_from_two_503(emulator):
    kid = new_key(make_client(emulator))["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "error", "action": "Encrypt", "count": 2, "status": 503})
    before = emulator.count("Encrypt")
    c = make_client(emulator, retry_options=_retry_options(["ServerException"]))
    assert call(c, "Encrypt", KeyId=kid, Plaintext="cmV0cnk=")["CiphertextBlob"]
    assert emulator.count("Encrypt") - before == 3


def test_no_retry_by_default_on_503(emulator):
    kid = new_key(make_client(emulator))["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "error", "action": "Encrypt", "count": 1, "status": 503})
    before = emulator.count("Encrypt")
    err = kms_error(make_client(emulator), "Encrypt", KeyId=kid, Plaintext="cmV0cnk=")
    assert isinstance(err, ServerException) and err.status_code == 503, f"{type(err).__name__}: {err}"
    assert err.code and err.code != "None" and err.request_id
    assert emulator.count("Encrypt") - before == 1
    # the fault is used up: the next call goes through
    assert call(make_client(emulator), "Encrypt", KeyId=kid, Plaintext="cmV0cnk=")["CiphertextBlob"]


def test_throttling_fault_maps_to_throttling_exception_and_retries(emulator):
    kid = new_key(make_client(emulator))["KeyId"]
    emulator.admin("POST", "/_emulator/faults",
                   {"kind": "throttling", "action": "Encrypt", "count": 1, "retry_after_ms": 120})
    err = kms_error(make_client(emulator), "Encrypt", KeyId=kid, Plaintext="dA==")
    assert isinstance(err, ThrottlingException), f"{type(err).__name__}: {err}"
    assert err.code.startswith("Throttling") and err.retry_after == 120, (err.code, err.retry_after)
    emulator.admin("POST", "/_emulator/faults",
                   {"kind": "throttling", "action": "Encrypt", "count": 2, "retry_after_ms": 20})
    before = emulator.count("Encrypt")
    c = make_client(emulator, retry_options=_retry_options(["ThrottlingException"]))
    assert call(c, "Encrypt", KeyId=kid, Plaintext="dA==")["CiphertextBlob"]
    assert emulator.count("Encrypt") - before == 3


def test_fault_only_hits_its_action(emulator):
    c = make_client(emulator)
    kid = new_key(c)["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "error", "action": "Decrypt", "count": 5, "status": 500})
    blob = call(c, "Encrypt", KeyId=kid, Plaintext="eA==")["CiphertextBlob"]
    err = kms_error(c, "Decrypt", CiphertextBlob=blob)
    assert isinstance(err, ServerException) and err.status_code == 500, f"{type(err).__name__}: {err}"
    emulator.admin("DELETE", "/_emulator/faults")
    assert call(c, "Decrypt", CiphertextBlob=blob)["Plaintext"] == "eA=="


def test_delay_fault_trips_read_timeout(emulator):
    kid = new_key(make_client(emulator))["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "delay", "action": "Encrypt", "count": 1, "delay_ms": 3000})
    c = make_client(emulator, read_timeout=800)
    t0 = time.monotonic()
    err = kms_error(c, "Encrypt", KeyId=kid, Plaintext="dA==")
    assert time.monotonic() - t0 < 2.5, "the read timeout did not fire before the delayed response"
    inner = f"{err} {getattr(err, 'message', '')} {getattr(err, 'inner_exception', '')!r}".lower()
    assert "timed out" in inner or "timeout" in inner, inner


def test_drop_fault_is_a_network_error_and_retry_recovers(emulator):
    kid = new_key(make_client(emulator))["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "drop", "action": "Encrypt", "count": 1})
    err = kms_error(make_client(emulator), "Encrypt", KeyId=kid, Plaintext="dA==")
    assert not isinstance(err, (ClientException, ServerException)), f"{type(err).__name__}: {err}"
    emulator.admin("POST", "/_emulator/faults", {"kind": "drop", "action": "Encrypt", "count": 1})
    c = make_client(emulator, retry_options=_retry_options(["RetryError"]))
    assert call(c, "Encrypt", KeyId=kid, Plaintext="dA==")["CiphertextBlob"]


def test_reset_clears_state(emulator):
    # Runs last in this module on purpose: reset wipes keys other tests made earlier.
    c = make_client(emulator)
    kid = new_key(c)["KeyId"]
    emulator.admin("POST", "/_emulator/reset")
    assert_client_error(kms_error(c, "DescribeKey", KeyId=kid))


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_async_client_path(emulator, scheme):
    """The SDK's *_async methods go through aiohttp/yarl, which re-normalise the URL (e.g. %3A -> :)
    and add their own headers; the emulator must still verify them."""
    import asyncio
    from alibabacloud_kms20160120 import models
    from darabonba.runtime import RuntimeOptions
    c = make_client(emulator, **SCHEMES[scheme])
    kid = new_key(c)["KeyId"]
    pt = "a b:c/d?e=f&g+h%i~j*k é 中文 🔐"
    ctx = {"k": "v:w/x?y", "n": "1"}
    name = secret_name("async")

    async def flow():
        e = await c.encrypt_with_options_async(
            models.EncryptRequest().from_map({"KeyId": kid, "Plaintext": pt, "EncryptionContext": ctx}), RuntimeOptions())
        d = await c.decrypt_with_options_async(
            models.DecryptRequest().from_map({"CiphertextBlob": e.body.ciphertext_blob, "EncryptionContext": ctx}), RuntimeOptions())
        await c.create_secret_with_options_async(
            models.CreateSecretRequest().from_map({"SecretName": name, "SecretData": "x:y/z&a=b+c%", "VersionId": "v1"}), RuntimeOptions())
        g = await c.get_secret_value_with_options_async(
            models.GetSecretValueRequest().from_map({"SecretName": name}), RuntimeOptions())
        return d.body.plaintext, g.body.secret_data

    assert asyncio.run(flow()) == (pt, "x:y/z&a=b+c%")

