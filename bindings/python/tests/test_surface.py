"""The public surface: parity with the core, versions, reprs without secrets, immutability."""

from __future__ import annotations

import inspect
import re
from typing import List, Tuple
from typing import Set

import pytest

import kmskit

from conftest import Emulator, unique


def _public_methods(cls: type) -> Set[str]:
    return {n for n, _ in inspect.getmembers(cls, callable) if not n.startswith("_")}


def test_parity_with_core_operations() -> None:
    ops = kmskit.core_operations()
    assert ops == [
        "encrypt",
        "decrypt",
        "generate_data_key",
        "generate_data_key_without_plaintext",
        "get_secret_value",
        "call",
    ]
    for cls in (kmskit.Client, kmskit.AsyncClient):
        assert _public_methods(cls) == set(ops) | {"with_route"}, cls


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_parity_with_core_instance_operations() -> None:
    ops = kmskit.core_instance_operations()
    assert len(ops) == 15 and ops[0] == "Encrypt" and "GetSecretValue" in ops
    names = {_snake(op) for op in ops}
    for cls in (kmskit.InstanceClient, kmskit.AsyncInstanceClient):
        assert _public_methods(cls) == names, cls
    for name in names:
        sync = inspect.signature(getattr(kmskit.InstanceClient, name))
        asy = inspect.signature(getattr(kmskit.AsyncInstanceClient, name))
        assert sync == asy, name


def test_credentials_types_are_exported() -> None:
    assert kmskit.credentials_types() == [
        "AccessKey",
        "StsToken",
        "EcsRamRole",
        "RamRoleArn",
        "OidcRoleArn",
        "CredentialsUri",
        "CliProfile",
        "IniProfile",
        "DefaultChain",
    ]
    for name in kmskit.credentials_types():
        assert isinstance(getattr(kmskit, name), type), name


def test_same_signatures_sync_and_async() -> None:
    for name in kmskit.core_operations():
        sync = inspect.signature(getattr(kmskit.Client, name))
        asy = inspect.signature(getattr(kmskit.AsyncClient, name))
        assert sync == asy, name


def test_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", kmskit.__version__)
    from importlib.metadata import version

    assert version("kmskit") == kmskit.__version__


def test_all_exports_exist() -> None:
    for name in kmskit.__all__:
        assert hasattr(kmskit, name), name


def test_no_secret_in_reprs(emulator: Emulator, client: kmskit.Client, alias: str) -> None:
    secret = emulator.access_key_secret
    ak = kmskit.AccessKey("LTAIexample", secret)
    sts = kmskit.StsToken("LTAIexample", secret, "token-value-xyz")
    for obj in (ak, sts):
        assert secret not in repr(obj) and secret not in str(obj)
        assert "LTAIexample" in repr(obj) and obj.access_key_id == "LTAIexample"
    assert "token-value-xyz" not in repr(sts)
    assert secret not in repr(client)

    plaintext = b"very-secret-plaintext-bytes"
    enc = client.encrypt(alias, plaintext)
    dec = client.decrypt(enc.ciphertext_blob)
    dk = client.generate_data_key(alias, number_of_bytes=32)
    name = unique("py-repr")
    client.call("CreateSecret", {"SecretName": name, "SecretData": "hunter2-secret-value"})
    sv = client.get_secret_value(name)
    assert sv.secret_data == "hunter2-secret-value"
    cases: List[Tuple[object, List[str]]] = [
        (dec, [plaintext.decode(), repr(plaintext)]),
        (dk, [repr(dk.plaintext), dk.plaintext.hex()]),
        (sv, ["hunter2-secret-value"]),
    ]
    for result, hidden in cases:
        text = repr(result) + str(result)
        for h in hidden:
            assert h not in text, (type(result).__name__, text)
        assert "***" in text
    assert enc.key_id in repr(enc) and dec.request_id in repr(dec)


def test_results_are_frozen(client: kmskit.Client, alias: str) -> None:
    enc = client.encrypt(alias, b"x")
    with pytest.raises(AttributeError):
        enc.key_id = "other"  # type: ignore[misc]
    dec = client.decrypt(enc.ciphertext_blob)
    with pytest.raises(AttributeError):
        dec.plaintext = b"y"  # type: ignore[misc]
    for cls in (kmskit.EncryptResponse, kmskit.DecryptResponse, kmskit.GetSecretValueResponse):
        with pytest.raises(TypeError):
            cls()


def test_client_repr_shows_the_endpoint(emulator: Emulator) -> None:
    assert emulator.endpoint in repr(emulator.client())
    assert emulator.endpoint in repr(emulator.async_client())
    assert "kms.cn-shanghai.aliyuncs.com" in repr(
        kmskit.Client(region="cn-shanghai", credentials=kmskit.AccessKey("a", "b"))
    )
    assert "kms-vpc.cn-shanghai.aliyuncs.com" in repr(
        kmskit.Client(region="cn-shanghai", gateway="vpc", credentials=kmskit.AccessKey("a", "b"))
    )
    assert "kst-abc.cryptoservice.kms.aliyuncs.com" in repr(
        kmskit.Client(
            gateway="dedicated", instance_id="kst-abc", credentials=kmskit.AccessKey("a", "b")
        )
    )
