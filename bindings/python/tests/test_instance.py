"""The dedicated gateway: ClientKey loading, every Instance API operation (blocking and async)
against the emulator's TLS listener, routing between the shared and dedicated gateways, and the
TLS and ClientKey errors."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

import kmskit

from conftest import Emulator, unique, wait_child


@pytest.fixture(scope="session")
def client_key(emulator: Emulator) -> kmskit.ClientKey:
    return kmskit.ClientKey.from_file(
        emulator.client_key_file, password_file=emulator.client_key_password_file
    )


def _password(emulator: Emulator) -> str:
    return Path(emulator.client_key_password_file).read_text().strip()


@pytest.fixture(scope="session")
def dedicated(emulator: Emulator, client_key: kmskit.ClientKey) -> kmskit.Client:
    """One client on the emulator's HTTPS listener: RAM calls and the Instance API both go there."""
    return kmskit.Client(
        endpoint=emulator.dedicated_endpoint,
        credentials=emulator.access_key(),
        client_key=client_key,
        ca_file=emulator.dedicated_ca_file,
    )


@pytest.fixture(scope="session")
def keys(client: kmskit.Client) -> Dict[str, str]:
    def create(**params: Any) -> str:
        return str(client.call("CreateKey", params)["KeyMetadata"]["KeyId"])

    return {
        "aes": create(KeySpec="Aliyun_AES_256"),
        "rsa_sign": create(KeySpec="RSA_2048", KeyUsage="SIGN/VERIFY"),
        "ec_sign": create(KeySpec="EC_P256", KeyUsage="SIGN/VERIFY"),
    }


# --- ClientKey ---------------------------------------------------------------------------------


def test_client_key_loading(
    emulator: Emulator, client_key: kmskit.ClientKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = _password(emulator)
    assert client_key.key_id.startswith("KAAP.")
    assert client_key.key_id in emulator.client_key_file
    assert repr(client_key) == f"ClientKey(key_id=\"{client_key.key_id}\")"
    assert password not in repr(client_key)
    text = Path(emulator.client_key_file).read_text()
    assert kmskit.ClientKey.from_json(text, password).key_id == client_key.key_id
    assert kmskit.ClientKey.from_json(text.encode(), password).key_id == client_key.key_id
    assert kmskit.ClientKey.from_file(Path(emulator.client_key_file), password).key_id
    monkeypatch.setenv("KMSKIT_PY_CK_PASSWORD", password)
    key = kmskit.ClientKey.from_file(emulator.client_key_file, password_env="KMSKIT_PY_CK_PASSWORD")
    assert key.key_id == client_key.key_id


def test_client_key_errors(emulator: Emulator) -> None:
    with pytest.raises(kmskit.CredentialsError) as e:
        kmskit.ClientKey.from_file(emulator.client_key_file, "not-the-password")
    err = e.value
    assert err.code == 1202 and err.name == "ClientKeyInvalid" and err.kind == "Credentials"
    assert "password is wrong" in err.message and "not-the-password" not in str(err)
    with pytest.raises(kmskit.CredentialsError) as e2:
        kmskit.ClientKey.from_file("/nonexistent/clientKey.json", "pw")
    assert e2.value.code == 1202
    with pytest.raises(kmskit.CredentialsError) as e3:
        kmskit.ClientKey.from_file(emulator.client_key_file, password_env="KMSKIT_PY_UNSET_VAR")
    assert e3.value.code == 1202
    with pytest.raises(kmskit.CredentialsError):
        kmskit.ClientKey.from_private_key_pem("KAAP.x", "-----BEGIN PRIVATE KEY-----\nAAAA\n")
    with pytest.raises(TypeError):
        kmskit.ClientKey.from_file(emulator.client_key_file)
    with pytest.raises(TypeError):
        kmskit.ClientKey.from_file(
            emulator.client_key_file, "pw", password_file=emulator.client_key_password_file
        )


def test_client_key_from_private_key_pem() -> None:
    shared_dir = os.environ.get("KMSKIT_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared"
    pems = sorted((Path(shared_dir) / "testdata").rglob("clientkey_private.pem"))
    assert pems, f"no clientkey_private.pem under {shared_dir}"
    pem = pems[0].read_text()
    key = kmskit.ClientKey.from_private_key_pem("KAAP.test-pem", pem)
    assert key.key_id == "KAAP.test-pem"
    assert "PRIVATE" not in repr(key)
    assert kmskit.ClientKey.from_private_key_pem("KAAP.b", pem.encode()).key_id == "KAAP.b"


def test_instance_needs_a_client_key(client: kmskit.Client, emulator: Emulator) -> None:
    with pytest.raises(kmskit.ConfigurationError):
        client.instance
    with pytest.raises(kmskit.ConfigurationError):
        emulator.async_client().instance
    with pytest.raises(kmskit.ConfigurationError):
        emulator.client(route="dedicated")
    with pytest.raises(kmskit.ConfigurationError):
        emulator.client(route="sideways")
    with pytest.raises(kmskit.ConfigurationError):
        client.with_route("sideways")


# --- every operation ---------------------------------------------------------------------------


def test_encrypt_decrypt(dedicated: kmskit.Client, keys: Dict[str, str]) -> None:
    inst = dedicated.instance
    aad = b"context-bytes"
    enc = inst.encrypt(keys["aes"], b"instance plaintext", aad=aad)
    assert isinstance(enc.ciphertext_blob, bytes) and isinstance(enc.iv, bytes)
    assert enc.key_id == keys["aes"] and enc.algorithm == "AES_GCM" and enc.request_id
    dec = inst.decrypt(keys["aes"], enc.ciphertext_blob, iv=enc.iv, aad=aad, algorithm=enc.algorithm)
    assert dec.plaintext == b"instance plaintext" and dec.key_id == keys["aes"]
    with pytest.raises(kmskit.KmsError):
        inst.decrypt(keys["aes"], enc.ciphertext_blob, iv=enc.iv, aad=b"other")


def test_advance_encrypt_decrypt(dedicated: kmskit.Client, keys: Dict[str, str]) -> None:
    inst = dedicated.instance
    adv = inst.advance_encrypt(keys["aes"], b"advance", aad=b"a")
    assert adv.key_version_id and adv.ciphertext_blob
    dec = inst.advance_decrypt(adv.ciphertext_blob, aad=b"a")
    assert dec.plaintext == b"advance" and dec.key_version_id == adv.key_version_id
    assert inst.advance_decrypt(adv.ciphertext_blob, key_id=keys["aes"], aad=b"a").plaintext == b"advance"


@pytest.mark.parametrize(
    "which,algorithm", [("rsa_sign", "RSA_PKCS1_SHA_256"), ("ec_sign", "ECDSA_SHA_256")]
)
def test_sign_verify(
    dedicated: kmskit.Client, keys: Dict[str, str], which: str, algorithm: str
) -> None:
    inst = dedicated.instance
    key = keys[which]
    sig = inst.sign(key, algorithm, b"message to sign", message_type="RAW")
    assert sig.algorithm == algorithm and sig.message_type == "RAW" and len(sig.signature) > 0
    ok = inst.verify(key, algorithm, b"message to sign", sig.signature)
    assert ok.value is True and ok.key_id == key
    bad = inst.verify(key, algorithm, b"another message", sig.signature, message_type="RAW")
    assert bad.value is False
    pem = inst.get_public_key(key)
    assert pem.public_key.startswith("-----BEGIN PUBLIC KEY-----") and pem.key_id == key


def test_generate_random(dedicated: kmskit.Client) -> None:
    r = dedicated.instance.generate_random(32)
    assert isinstance(r.random, bytes) and len(r.random) == 32 and r.request_id
    assert r.random != dedicated.instance.generate_random(32).random
    assert r.random.hex() not in repr(r) and "***" in repr(r)
    with pytest.raises(kmskit.InvalidArgumentError):
        dedicated.instance.generate_random(0)


def test_data_keys(dedicated: kmskit.Client, keys: Dict[str, str]) -> None:
    inst = dedicated.instance
    dk = inst.generate_data_key(keys["aes"], number_of_bytes=24, aad=b"dk")
    assert len(dk.plaintext) == 24
    back = inst.decrypt(keys["aes"], dk.ciphertext_blob, iv=dk.iv, aad=b"dk")
    assert back.plaintext == dk.plaintext
    adk = inst.advance_generate_data_key(keys["aes"], number_of_bytes=16)
    assert len(adk.plaintext) == 16 and adk.key_version_id
    assert inst.advance_decrypt(adk.ciphertext_blob).plaintext == adk.plaintext
    with pytest.raises(kmskit.InvalidArgumentError):
        inst.generate_data_key(keys["aes"], number_of_bytes=4096)


def test_data_key_pairs(dedicated: kmskit.Client, keys: Dict[str, str]) -> None:
    inst = dedicated.instance
    pair = inst.generate_data_key_pair(keys["aes"], "RSA_2048", aad=b"pair")
    assert pair.key_pair_spec == "RSA_2048"
    assert pair.private_key_plaintext.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pair.public_key.startswith(b"-----BEGIN PUBLIC KEY-----")
    opened = inst.decrypt(keys["aes"], pair.private_key_ciphertext_blob, iv=pair.iv, aad=b"pair")
    assert opened.plaintext == pair.private_key_plaintext
    text = repr(pair)
    assert "PRIVATE KEY" not in text and "***" in text
    adv = inst.advance_generate_data_key_pair(keys["aes"], "EC_P256", key_format="DER")
    assert adv.public_key[:1] == b"\x30" and adv.key_version_id
    assert inst.advance_decrypt(adv.private_key_ciphertext_blob).plaintext == adv.private_key_plaintext
    bare = inst.generate_data_key_pair_without_plaintext(keys["aes"], "RSA_2048")
    assert bare.public_key and bare.private_key_ciphertext_blob and bare.iv
    assert not hasattr(bare, "private_key_plaintext")
    abare = inst.advance_generate_data_key_pair_without_plaintext(keys["aes"], "RSA_2048", key_format="PEM")
    assert abare.key_version_id and inst.advance_decrypt(abare.private_key_ciphertext_blob).plaintext


def test_get_secret_value(dedicated: kmskit.Client, client: kmskit.Client) -> None:
    name = unique("py-instance-secret")
    client.call("CreateSecret", {"SecretName": name, "SecretData": "dedicated-secret-value", "VersionId": "v1"})
    sv = dedicated.instance.get_secret_value(name)
    assert sv.secret_data == "dedicated-secret-value" and sv.secret_name == name
    assert sv.version_id == "v1" and "ACSCurrent" in sv.version_stages
    assert "dedicated-secret-value" not in repr(sv) and "***" in repr(sv)
    staged = dedicated.instance.get_secret_value(name, version_stage="ACSCurrent", fetch_extended_config=True)
    assert staged.secret_data == "dedicated-secret-value"
    with pytest.raises(kmskit.NotFoundError):
        dedicated.instance.get_secret_value(unique("py-no-such-secret"))


def test_async_instance(emulator: Emulator, client_key: kmskit.ClientKey, keys: Dict[str, str]) -> None:
    ac = emulator.async_client(
        endpoint=emulator.dedicated_endpoint, client_key=client_key, ca_file=emulator.dedicated_ca_file
    )

    async def main() -> List[bytes]:
        inst = ac.instance
        adv = await inst.advance_encrypt(keys["aes"], b"async instance")
        random, dec = await asyncio.gather(
            inst.generate_random(8), inst.advance_decrypt(adv.ciphertext_blob)
        )
        sig = await inst.sign(keys["ec_sign"], "ECDSA_SHA_256", b"m")
        ok = await inst.verify(keys["ec_sign"], "ECDSA_SHA_256", b"m", sig.signature)
        return [dec.plaintext, bytes(len(random.random)), bytes([ok.value])]

    assert asyncio.run(main()) == [b"async instance", bytes(8), b"\x01"]


# --- routing -----------------------------------------------------------------------------------


def test_routing_between_gateways(
    emulator: Emulator, client_key: kmskit.ClientKey, keys: Dict[str, str]
) -> None:
    # Shared gateway for RAM calls (plain HTTP here), dedicated gateway for the data plane.
    c = kmskit.Client(
        endpoint=emulator.endpoint,
        region=emulator.region,
        credentials=emulator.access_key(),
        instance_endpoint=emulator.dedicated_endpoint,
        client_key=client_key,
        ca_file=emulator.dedicated_ca_file,
    )
    assert c.route == "auto" and client_key.key_id in repr(c)
    assert emulator.dedicated_endpoint in repr(c.instance)
    adv, enc = emulator.count("AdvanceEncrypt"), emulator.count("Encrypt")
    blob = c.encrypt(keys["aes"], b"routed").ciphertext_blob
    assert emulator.count("AdvanceEncrypt") - adv == 1 and emulator.count("Encrypt") == enc
    assert c.decrypt(blob).plaintext == b"routed"
    assert c.call("DescribeKey", {"KeyId": keys["aes"]})["KeyMetadata"]["KeyId"] == keys["aes"]

    shared = c.with_route("shared")
    assert shared.route == "shared" and c.route == "auto"
    shared_blob = shared.encrypt(keys["aes"], b"shared").ciphertext_blob
    assert emulator.count("Encrypt") - enc == 1
    assert shared.decrypt(shared_blob).plaintext == b"shared"
    assert c.with_route("dedicated").route == "dedicated"
    pinned = kmskit.Client(
        endpoint=emulator.endpoint,
        region=emulator.region,
        credentials=emulator.access_key(),
        instance_endpoint=emulator.dedicated_endpoint,
        client_key=client_key,
        ca_file=emulator.dedicated_ca_file,
        route="shared",
    )
    assert pinned.route == "shared"


def test_wrong_or_missing_ca(emulator: Emulator, client_key: kmskit.ClientKey) -> None:
    options: List[Dict[str, Any]] = [{}]
    shared_dir = os.environ.get("KMSKIT_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared"
    foreign = sorted((Path(shared_dir) / "testdata").rglob("PrivateKmsCA_*.pem"))
    if foreign:
        options.append({"ca_file": str(foreign[0])})
    for extra in options:
        c = kmskit.Client(
            endpoint=emulator.dedicated_endpoint,
            credentials=emulator.access_key(),
            client_key=client_key,
            max_attempts=3,
            **extra,
        )
        with pytest.raises(kmskit.NetworkError) as e:
            c.instance.generate_random(8)
        assert e.value.code == 2003 and e.value.name == "TlsFailed" and not e.value.retryable


def test_unknown_client_key_is_refused(emulator: Emulator, keys: Dict[str, str]) -> None:
    shared_dir = os.environ.get("KMSKIT_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared"
    pems = sorted((Path(shared_dir) / "testdata").rglob("clientkey_private.pem"))
    assert pems
    stranger = kmskit.ClientKey.from_private_key_pem("KAAP.unknown-to-the-emulator", pems[0].read_text())
    c = kmskit.Client(
        endpoint=emulator.dedicated_endpoint,
        credentials=emulator.access_key(),
        client_key=stranger,
        ca_file=emulator.dedicated_ca_file,
    )
    with pytest.raises(kmskit.AuthenticationError):
        c.instance.generate_random(8)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_instance_after_fork(dedicated: kmskit.Client, keys: Dict[str, str]) -> None:
    inst = dedicated.instance
    blob = inst.advance_encrypt(keys["aes"], b"fork").ciphertext_blob
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            code = 0 if inst.advance_decrypt(blob).plaintext == b"fork" else 1
        finally:
            os._exit(code)
    assert wait_child(pid) == 0
    assert inst.advance_decrypt(blob).plaintext == b"fork"
