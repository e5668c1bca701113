"""Every operation, blocking and async, against the emulator."""

from __future__ import annotations

import asyncio

import pytest

import kmskit

from conftest import Emulator, run, unique


def test_encrypt_decrypt_round_trip(client: kmskit.Client, alias: str, key_id: str) -> None:
    r = client.encrypt(alias, b"\x00data\xff")
    assert isinstance(r, kmskit.EncryptResponse)
    assert r.key_id == key_id
    assert r.key_version_id and r.request_id and r.ciphertext_blob
    d = client.decrypt(r.ciphertext_blob)
    assert isinstance(d, kmskit.DecryptResponse)
    assert d.plaintext == b"\x00data\xff"
    assert isinstance(d.plaintext, bytes)
    assert d.key_id == key_id and d.key_version_id == r.key_version_id
    assert d.request_id and d.request_id != r.request_id


def test_encryption_context_round_trip_any_order(client: kmskit.Client, alias: str) -> None:
    r = client.encrypt(alias, b"ctx", encryption_context={"k": "v", "a": "b"})
    d = client.decrypt(r.ciphertext_blob, encryption_context={"a": "b", "k": "v"})
    assert d.plaintext == b"ctx"


def test_encryption_context_mismatch_is_a_crypto_error(client: kmskit.Client, alias: str) -> None:
    r = client.encrypt(alias, b"ctx", encryption_context={"k": "v"})
    with pytest.raises(kmskit.CryptoError) as e:
        client.decrypt(r.ciphertext_blob, encryption_context={"k": "other"})
    assert e.value.code == 4001 and e.value.service_code == "InvalidCiphertext"
    with pytest.raises(kmskit.CryptoError):
        client.decrypt(r.ciphertext_blob)


def test_generate_data_key(client: kmskit.Client, alias: str, key_id: str) -> None:
    dk = client.generate_data_key(alias, number_of_bytes=32)
    assert isinstance(dk, kmskit.GenerateDataKeyResponse)
    assert len(dk.plaintext) == 32 and dk.key_id == key_id and dk.request_id
    assert client.decrypt(dk.ciphertext_blob).plaintext == dk.plaintext
    assert len(client.generate_data_key(alias, key_spec="AES_128").plaintext) == 16
    assert len(client.generate_data_key(alias).plaintext) == 32


def test_generate_data_key_with_context(client: kmskit.Client, alias: str) -> None:
    dk = client.generate_data_key(alias, number_of_bytes=16, encryption_context={"app": "x"})
    assert client.decrypt(dk.ciphertext_blob, encryption_context={"app": "x"}).plaintext == dk.plaintext
    with pytest.raises(kmskit.CryptoError):
        client.decrypt(dk.ciphertext_blob, encryption_context={"app": "y"})


def test_generate_data_key_without_plaintext(client: kmskit.Client, alias: str, key_id: str) -> None:
    r = client.generate_data_key_without_plaintext(alias, number_of_bytes=24)
    assert isinstance(r, kmskit.GenerateDataKeyWithoutPlaintextResponse)
    assert not hasattr(r, "plaintext")
    assert r.key_id == key_id and r.key_version_id and r.request_id
    assert len(client.decrypt(r.ciphertext_blob).plaintext) == 24


def test_secrets_with_stages(client: kmskit.Client) -> None:
    name = unique("py-secret")
    client.call(
        "CreateSecret",
        {"SecretName": name, "SecretData": "one", "VersionId": "v1", "ExtendedConfig": '{"k":"v"}'},
    )
    first = client.get_secret_value(name)
    assert isinstance(first, kmskit.GetSecretValueResponse)
    assert (first.secret_name, first.secret_data, first.version_id) == (name, "one", "v1")
    assert first.version_stages == ["ACSCurrent"]
    assert first.secret_data_type == "text" and first.secret_type == "Generic"
    assert first.create_time and first.request_id
    assert first.extended_config is None

    client.call("PutSecretValue", {"SecretName": name, "SecretData": "two", "VersionId": "v2"})
    current = client.get_secret_value(name)
    assert (current.secret_data, current.version_id) == ("two", "v2")
    previous = client.get_secret_value(name, version_stage="ACSPrevious")
    assert (previous.secret_data, previous.version_id) == ("one", "v1")
    assert previous.version_stages == ["ACSPrevious"]
    by_id = client.get_secret_value(name, version_id="v1")
    assert by_id.secret_data == "one"
    ext = client.get_secret_value(name, fetch_extended_config=True)
    assert ext.extended_config is not None and '"k"' in ext.extended_config
    with pytest.raises(kmskit.NotFoundError):
        client.get_secret_value(name, version_id="v1", version_stage="ACSCurrent")


def test_call_returns_plain_python_values(client: kmskit.Client, key_id: str) -> None:
    created = client.call("CreateKey", {"KeySpec": "Aliyun_AES_256", "Description": "py call"})
    assert isinstance(created, dict)
    meta = created["KeyMetadata"]
    assert meta["KeySpec"] == "Aliyun_AES_256" and meta["Description"] == "py call"
    listed = client.call("ListKeys", {"PageSize": 100, "PageNumber": 1})
    assert isinstance(listed["TotalCount"], int)
    ids = [k["KeyId"] for k in listed["Keys"]["Key"]]
    assert key_id in ids and meta["KeyId"] in ids
    described = client.call("DescribeKey", {"KeyId": key_id})
    assert described["KeyMetadata"]["KeyState"] == "Enabled"
    # Booleans and nested values travel as the SDK writes them.
    pw = client.call("GetRandomPassword", {"PasswordLength": 16, "ExcludePunctuation": True})
    assert len(pw["RandomPassword"]) == 16
    assert all(c.isalnum() for c in pw["RandomPassword"])
    tagged = client.call("TagResource", {"KeyId": key_id, "Tags": [{"TagKey": "t", "TagValue": "1"}]})
    assert "RequestId" in tagged
    tags = client.call("ListResourceTags", {"KeyId": key_id})["Tags"]["Tag"]
    assert {"KeyId": key_id, "TagKey": "t", "TagValue": "1"} in tags


def test_call_without_params(client: kmskit.Client) -> None:
    assert "Keys" in client.call("ListKeys")


def test_rpc_signature_version(emulator: Emulator, alias: str) -> None:
    c = emulator.client(signature_version="rpc")
    r = c.encrypt(alias, b"rpc")
    assert c.decrypt(r.ciphertext_blob).plaintext == b"rpc"


def test_sts_token_credentials(emulator: Emulator, alias: str) -> None:
    # The emulator accepts any STS token for a known AccessKey; the token must be signed and sent.
    creds = kmskit.StsToken(emulator.access_key_id, emulator.access_key_secret, "sts-token")
    c = emulator.client(credentials=creds)
    assert c.decrypt(c.encrypt(alias, b"sts").ciphertext_blob).plaintext == b"sts"


def test_credentials_from_environment(
    emulator: Emulator, alias: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", emulator.access_key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", emulator.access_key_secret)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    c = kmskit.Client(endpoint=emulator.endpoint, region=emulator.region)
    assert c.encrypt(alias, b"env").ciphertext_blob


def test_all_options_accepted(emulator: Emulator, alias: str) -> None:
    c = emulator.client(
        gateway="shared",
        connect_timeout_ms=1000,
        read_timeout_ms=5000,
        max_attempts=1,
        user_agent_suffix="kmskit-python-tests/1",
        signature_version="acs3",
    )
    assert c.encrypt(alias, b"x").key_id


# --- async -----------------------------------------------------------------------------------


def test_async_every_operation(emulator: Emulator, alias: str, key_id: str) -> None:
    name = unique("py-async-secret")

    async def main() -> None:
        c = emulator.async_client()
        created = await c.call("CreateSecret", {"SecretName": name, "SecretData": "s3cr3t", "VersionId": "v1"})
        assert created["SecretName"] == name
        r = await c.encrypt(alias, b"async", encryption_context={"k": "v"})
        assert isinstance(r, kmskit.EncryptResponse) and r.key_id == key_id
        d = await c.decrypt(r.ciphertext_blob, encryption_context={"k": "v"})
        assert isinstance(d, kmskit.DecryptResponse) and d.plaintext == b"async"
        dk = await c.generate_data_key(alias, number_of_bytes=32)
        assert isinstance(dk, kmskit.GenerateDataKeyResponse) and len(dk.plaintext) == 32
        nk = await c.generate_data_key_without_plaintext(alias, key_spec="AES_128")
        assert isinstance(nk, kmskit.GenerateDataKeyWithoutPlaintextResponse)
        assert len((await c.decrypt(nk.ciphertext_blob)).plaintext) == 16
        s = await c.get_secret_value(name, version_stage="ACSCurrent")
        assert isinstance(s, kmskit.GetSecretValueResponse) and s.secret_data == "s3cr3t"

    run(main())


def test_async_concurrent_calls(emulator: Emulator, alias: str) -> None:
    async def main() -> None:
        c = emulator.async_client()
        blobs = await asyncio.gather(*(c.encrypt(alias, bytes([i]) * 8) for i in range(20)))
        plains = await asyncio.gather(*(c.decrypt(b.ciphertext_blob) for b in blobs))
        assert [p.plaintext for p in plains] == [bytes([i]) * 8 for i in range(20)]

    run(main())


def test_async_errors_raise_the_mapped_class(emulator: Emulator) -> None:
    async def main() -> None:
        c = emulator.async_client()
        with pytest.raises(kmskit.NotFoundError) as e:
            await c.encrypt("alias/does-not-exist", b"x")
        assert e.value.code == 3301 and e.value.http_status == 404 and e.value.request_id
        with pytest.raises(kmskit.InvalidArgumentError):
            await c.generate_data_key("", number_of_bytes=8)

    run(main())


def test_async_timeout_and_cancellation(emulator: Emulator, alias: str) -> None:
    emulator.fault(kind="delay", action="Encrypt", delay_ms=3000, count=1)

    async def main() -> None:
        c = emulator.async_client(max_attempts=1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(c.encrypt(alias, b"slow"), 0.3)
        # The client still works after a cancelled call.
        r = await c.encrypt(alias, b"after")
        assert (await c.decrypt(r.ciphertext_blob)).plaintext == b"after"

    run(main())


def test_async_methods_return_coroutines_that_start_when_awaited(emulator: Emulator, alias: str) -> None:
    c = emulator.async_client()
    before = emulator.count("Encrypt")
    coro = c.encrypt(alias, b"x")
    assert asyncio.iscoroutine(coro)
    coro.close()
    assert emulator.count("Encrypt") == before
    # Argument errors surface at call time, before anything is awaited.
    with pytest.raises(TypeError):
        c.encrypt(alias, "not bytes")  # type: ignore[arg-type,unused-coroutine]

    async def main() -> kmskit.EncryptResponse:
        return await asyncio.create_task(c.encrypt(alias, b"task"))

    assert run(main()).key_id
    assert emulator.count("Encrypt") == before + 1
