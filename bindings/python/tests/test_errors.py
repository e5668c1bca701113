"""Every error kind that can be provoked, with its attributes."""

from __future__ import annotations

import os
import pickle
import socket
import time
from pathlib import Path
from typing import Any, Dict

import pytest

import kmskit

from conftest import Emulator

KINDS = {
    "Throttling": kmskit.ThrottlingError,
    "Authentication": kmskit.AuthenticationError,
    "Authorization": kmskit.AuthorizationError,
    "NotFound": kmskit.NotFoundError,
    "InvalidArgument": kmskit.InvalidArgumentError,
    "Network": kmskit.NetworkError,
    "Timeout": kmskit.KmsTimeoutError,
    "Service": kmskit.ServiceError,
    "Credentials": kmskit.CredentialsError,
    "Configuration": kmskit.ConfigurationError,
    "Crypto": kmskit.CryptoError,
    "Internal": kmskit.InternalError,
}


def test_hierarchy() -> None:
    for cls in KINDS.values():
        assert issubclass(cls, kmskit.KmsError)
    assert issubclass(kmskit.KmsError, Exception)
    # Catchable as the builtin too, without shadowing it.
    assert issubclass(kmskit.KmsTimeoutError, TimeoutError)
    assert not hasattr(kmskit, "TimeoutError")


def test_not_found(client: kmskit.Client) -> None:
    with pytest.raises(kmskit.NotFoundError) as e:
        client.encrypt("alias/no-such-alias-here", b"x")
    err = e.value
    assert err.code == 3301 and err.name == "ResourceNotFound" and err.kind == "NotFound"
    assert err.service_code == "Forbidden.AliasNotFound"
    assert err.http_status == 404 and err.request_id and not err.retryable
    assert err.message and err.message in str(err)
    assert "3301" in str(err) and err.request_id in str(err)
    with pytest.raises(kmskit.NotFoundError) as e2:
        client.encrypt("key-does-not-exist", b"x")
    assert e2.value.service_code == "Forbidden.KeyNotFound"


def test_authentication_wrong_secret(emulator: Emulator, alias: str) -> None:
    wrong = "definitely-the-wrong-secret-value"
    c = emulator.client(credentials=kmskit.AccessKey(emulator.access_key_id, wrong))
    with pytest.raises(kmskit.AuthenticationError) as e:
        c.encrypt(alias, b"x")
    err = e.value
    assert err.code == 3101 and err.kind == "Authentication"
    assert err.service_code == "SignatureDoesNotMatch" and err.http_status == 400
    assert wrong not in str(err) and wrong not in repr(err)


def test_authorization_from_a_403(emulator: Emulator, client: kmskit.Client, alias: str) -> None:
    emulator.fault(kind="error", action="Encrypt", status=403, code="Forbidden.NoPermission", count=1)
    with pytest.raises(kmskit.AuthorizationError) as e:
        client.encrypt(alias, b"x")
    assert e.value.code == 3201 and e.value.http_status == 403 and not e.value.retryable


def test_invalid_argument_local(client: kmskit.Client) -> None:
    with pytest.raises(kmskit.InvalidArgumentError) as e:
        client.encrypt("", b"x")
    assert e.value.code == 1001 and e.value.http_status is None and e.value.request_id is None
    with pytest.raises(kmskit.InvalidArgumentError):
        client.decrypt("  ")
    with pytest.raises(kmskit.InvalidArgumentError):
        client.get_secret_value("")
    for n in (0, 1025, -1, 2**40):
        with pytest.raises(kmskit.InvalidArgumentError):
            client.generate_data_key("alias/x", number_of_bytes=n)
    with pytest.raises(kmskit.InvalidArgumentError):
        client.call("", {})


def test_invalid_argument_from_the_service(client: kmskit.Client) -> None:
    with pytest.raises(kmskit.InvalidArgumentError) as e:
        client.call("CreateKey", {"KeySpec": "No_Such_Spec"})
    assert e.value.code == 3401 and e.value.service_code == "InvalidParameter"
    assert e.value.http_status == 400


def test_wrong_python_types_raise_type_error(client: kmskit.Client, alias: str) -> None:
    with pytest.raises(TypeError):
        client.encrypt(alias, "text, not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.encrypt(123, b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.encrypt(alias, b"x", encryption_context={"k": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        client.call("ListKeys", {"PageSize": b"bytes"})
    with pytest.raises(TypeError):
        client.call("ListKeys", {1: "x"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        kmskit.Client(endpoint="http://127.0.0.1:1", credentials=("id", "secret"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kmskit.Client("http://127.0.0.1:1")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "options",
    [
        {"endpoint": "ftp://example.com"},
        {"endpoint": "http://"},
        {"endpoint": "http://127.0.0.1:99999"},
        {"endpoint": "http://host/path"},
        {"endpoint": None, "region": None},
        {"gateway": "nonsense"},
        {"gateway": "dedicated", "endpoint": None},
        {"signature_version": "v9"},
        {"connect_timeout_ms": 0},
        {"read_timeout_ms": -5},
        {"max_attempts": 0},
        {"max_attempts": -1},
        {"user_agent_suffix": "bad\r\nheader"},
        {"ca_pem": b"not a certificate"},
        {"ca_file": "/nonexistent/ca.pem"},
    ],
)
def test_configuration_errors(emulator: Emulator, options: Dict[str, Any]) -> None:
    with pytest.raises(kmskit.ConfigurationError) as e:
        emulator.client(**options)
    assert e.value.code == 1101 and e.value.kind == "Configuration"
    with pytest.raises(kmskit.ConfigurationError):
        emulator.async_client(**options)


def test_ca_pem_accepts_a_certificate(emulator: Emulator, alias: str) -> None:
    shared_dir = os.environ.get("KMSKIT_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared"
    shared = Path(shared_dir) / "testdata"
    pems = sorted(shared.rglob("PrivateKmsCA_*.pem"))
    assert pems, f"no CA certificate under {shared}"
    c = emulator.client(ca_pem=pems[0].read_bytes())
    assert c.encrypt(alias, b"x").key_id
    c2 = emulator.client(ca_pem=pems[0].read_text(), ca_file=str(pems[0]))
    assert c2.encrypt(alias, b"x").key_id
    assert emulator.client(ca_file=pems[0]).encrypt(alias, b"x").key_id


def test_credentials_errors(emulator: Emulator, alias: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(kmskit.CredentialsError) as e:
        kmskit.StsToken("id", "secret", "")
    assert e.value.code == 1201
    for var in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    c = kmskit.Client(endpoint=emulator.endpoint, region=emulator.region)
    with pytest.raises(kmskit.CredentialsError) as e2:
        c.encrypt(alias, b"x")
    assert e2.value.code == 1201 and e2.value.kind == "Credentials"


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


def test_network_error_on_a_closed_port(alias: str) -> None:
    c = kmskit.Client(
        endpoint=f"http://127.0.0.1:{_closed_port()}",
        credentials=kmskit.AccessKey("id", "secret"),
        max_attempts=1,
    )
    with pytest.raises(kmskit.NetworkError) as e:
        c.encrypt(alias, b"x")
    assert e.value.code == 2001 and e.value.name == "ConnectFailed" and e.value.retryable


def test_network_error_when_the_connection_drops(emulator: Emulator, client: kmskit.Client, alias: str) -> None:
    emulator.fault(kind="drop", action="CreateKey", count=1)
    c = emulator.client(max_attempts=1)
    with pytest.raises(kmskit.NetworkError) as e:
        c.call("CreateKey", {})
    assert e.value.code == 2002


def test_timeout_on_a_delay_fault(emulator: Emulator, alias: str) -> None:
    emulator.fault(kind="delay", action="Encrypt", delay_ms=2000, count=1)
    c = emulator.client(read_timeout_ms=200, max_attempts=1)
    start = time.monotonic()
    with pytest.raises(kmskit.KmsTimeoutError) as e:
        c.encrypt(alias, b"x")
    elapsed = time.monotonic() - start
    assert e.value.code == 2102 and e.value.kind == "Timeout" and e.value.retryable
    assert isinstance(e.value, TimeoutError)
    assert elapsed < 1.5, elapsed


def test_throttling_after_retries(emulator: Emulator, alias: str) -> None:
    emulator.fault(kind="throttling", action="GenerateDataKey", count=5)
    c = emulator.client(max_attempts=2)
    before = emulator.count("GenerateDataKey")
    with pytest.raises(kmskit.ThrottlingError) as e:
        c.generate_data_key(alias)
    assert emulator.count("GenerateDataKey") - before == 2
    err = e.value
    assert err.code == 3001 and err.service_code == "Throttling" and err.retryable
    assert err.http_status == 400 and err.request_id


def test_service_error(emulator: Emulator, alias: str) -> None:
    emulator.fault(kind="error", action="Encrypt", status=503, count=1)
    c = emulator.client(max_attempts=1)
    with pytest.raises(kmskit.ServiceError) as e:
        c.encrypt(alias, b"x")
    assert e.value.code == 3502 and e.value.http_status == 503 and e.value.retryable
    emulator.fault(kind="error", action="Encrypt", status=500, count=1)
    with pytest.raises(kmskit.ServiceError) as e2:
        c.encrypt(alias, b"x")
    assert e2.value.code == 3501 and e2.value.service_code == "InternalFailure"


def test_errors_pickle_with_their_attributes(client: kmskit.Client) -> None:
    with pytest.raises(kmskit.NotFoundError) as e:
        client.encrypt("alias/nope-nope", b"x")
    copy = pickle.loads(pickle.dumps(e.value))
    assert type(copy) is kmskit.NotFoundError
    for attr in ("code", "name", "kind", "service_code", "request_id", "http_status", "retryable", "message"):
        assert getattr(copy, attr) == getattr(e.value, attr)
    assert str(copy) == str(e.value)
