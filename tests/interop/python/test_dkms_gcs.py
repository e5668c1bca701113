"""Interop: the official KMS Instance API client (alibabacloud-dkms-gcs 1.0.2) against the
emulator's dedicated gateway — TLS verified against the emulator's instance CA, a ClientKey issued
by the emulator through the official kms20160120 SDK's CreateClientKey, keys and secrets made through
the OpenAPI of the same emulator.

The client runs in its own venv (see dkms_gcs_driver.py); a missing venv is a failure, not a skip.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from conftest import REPO, b64, call, run_cli

DKMS_PY = Path(os.environ.get("KMSKIT_DKMS_PYTHON") or REPO / ".venv-interop-dkms/bin/python")
DRIVER = Path(__file__).with_name("dkms_gcs_driver.py")
PASSWORD = "kmskit-Interop-2024"


def raw(b: bytes) -> dict:
    return {"b64": base64.b64encode(b).decode()}


def unraw(v) -> bytes:
    return base64.b64decode(v["b64"])


class Dkms:
    def __init__(self, config: dict):
        self.config = config

    def run(self, *ops: dict, config: dict | None = None) -> list:
        assert DKMS_PY.is_file(), (
            f"{DKMS_PY} not found: run scripts/setup-interop (it builds .venv-interop-dkms) "
            "or set KMSKIT_DKMS_PYTHON")
        doc = {"config": config or self.config, "ops": list(ops)}
        p = subprocess.run([str(DKMS_PY), str(DRIVER)], input=json.dumps(doc).encode(),
                           capture_output=True, timeout=120)
        assert p.returncode == 0, f"driver failed ({p.returncode}): {p.stderr.decode(errors='replace')}"
        return json.loads(p.stdout)

    def ok(self, *ops: dict) -> list:
        results = self.run(*ops)
        for op, r in zip(ops, results):
            assert "ok" in r, f"{op['api']} failed: {r}"
            assert r["ok"].get("RequestId"), f"{op['api']} has no RequestId: {r}"
        return [r["ok"] for r in results]

    def err(self, op: dict) -> dict:
        [r] = self.run(op)
        assert "error" in r, f"{op['api']} unexpectedly succeeded: {r}"
        return r["error"]


@pytest.fixture(scope="module")
def dkms(emulator, client, tmp_path_factory) -> Dkms:
    info = emulator.info
    for k in ("dedicated_endpoint", "dedicated_ca_file", "instance_id"):
        assert info.get(k), f"ready line lacks {k}: {info}"
    assert info["dedicated_endpoint"].startswith("https://127.0.0.1:")
    # A ClientKey issued by the emulator, through the official OpenAPI SDK.
    ck = call(client, "CreateClientKey", AapName="interop", Password=PASSWORD)
    assert ck["ClientKeyId"].startswith("KAAP."), ck
    d = tmp_path_factory.mktemp("clientkey")
    key_file = d / f"clientKey_{ck['ClientKeyId']}.json"
    key_file.write_text(json.dumps({"KeyId": ck["ClientKeyId"], "PrivateKeyData": ck["PrivateKeyData"]}))
    (d / "password.txt").write_text(PASSWORD)
    return Dkms({
        "endpoint": info["dedicated_endpoint"].removeprefix("https://"),
        "client_key_file": str(key_file),
        "password": PASSWORD,
        "ca_file_path": info["dedicated_ca_file"],
    })


def new_key(client, spec="Aliyun_AES_256", usage=None) -> str:
    params = {"KeySpec": spec}
    if usage:
        params["KeyUsage"] = usage
    return call(client, "CreateKey", **params)["KeyMetadata"]["KeyId"]


def test_encrypt_decrypt(dkms, client):
    key = new_key(client)
    enc, dec = dkms.ok(
        {"api": "Encrypt", "request": {"KeyId": key, "Plaintext": raw(b"hello dedicated"), "Aad": raw(b"ctx")}},
        {"api": "Decrypt", "request": {"KeyId": key, "CiphertextBlob": {"from": [0, "CiphertextBlob"]},
                                       "Iv": {"from": [0, "Iv"]}, "Algorithm": "AES_GCM", "Aad": raw(b"ctx")}},
    )
    assert enc["Algorithm"] == "AES_GCM" and len(unraw(enc["Iv"])) == 12
    assert unraw(dec["Plaintext"]) == b"hello dedicated"
    # The wrong Aad is refused with the service's code.
    e = dkms.err({"api": "Decrypt", "request": {"KeyId": key, "CiphertextBlob": enc["CiphertextBlob"],
                                                "Iv": enc["Iv"], "Aad": raw(b"other")}})
    assert e["code"] == "InvalidCiphertext", e
    # RSA keys: OAEP-SHA-256.
    rsa_key = new_key(client, "RSA_2048", "ENCRYPT/DECRYPT")
    enc, dec = dkms.ok(
        {"api": "Encrypt", "request": {"KeyId": rsa_key, "Plaintext": raw(b"rsa secret")}},
        {"api": "Decrypt", "request": {"KeyId": rsa_key, "CiphertextBlob": {"from": [0, "CiphertextBlob"]}}},
    )
    assert enc["Algorithm"] == "RSAES_OAEP_SHA_256"
    assert unraw(dec["Plaintext"]) == b"rsa secret"


def test_advance_encrypt_decrypt_across_rotation(dkms, client):
    key = new_key(client)
    [enc] = dkms.ok({"api": "AdvanceEncrypt", "request": {"KeyId": key, "Plaintext": raw(b"advance"), "Aad": raw(b"a")}})
    blob = unraw(enc["CiphertextBlob"])
    assert blob[:3] == b"$\x00\x02" and blob[3:39].decode() == enc["KeyVersionId"]
    call(client, "CreateKeyVersion", KeyId=key)
    dec, enc2 = dkms.ok(
        {"api": "AdvanceDecrypt", "request": {"CiphertextBlob": enc["CiphertextBlob"], "Aad": raw(b"a")}},
        {"api": "AdvanceEncrypt", "request": {"KeyId": key, "Plaintext": raw(b"after")}},
    )
    assert unraw(dec["Plaintext"]) == b"advance" and dec["KeyVersionId"] == enc["KeyVersionId"]
    assert enc2["KeyVersionId"] != enc["KeyVersionId"]


def test_sign_verify(dkms, client):
    msg = b"interop message"
    digest = hashlib.sha256(msg).digest()
    for spec, alg in (("RSA_2048", "RSA_PSS_SHA_256"), ("RSA_2048", "RSA_PKCS1_SHA_256"), ("EC_P256", "ECDSA_SHA_256")):
        key = new_key(client, spec, "SIGN/VERIFY")
        sign_raw, sign_digest, verify, pub = dkms.ok(
            {"api": "Sign", "request": {"KeyId": key, "Algorithm": alg, "Message": raw(msg), "MessageType": "RAW"}},
            {"api": "Sign", "request": {"KeyId": key, "Algorithm": alg, "Message": raw(digest), "MessageType": "DIGEST"}},
            {"api": "Verify", "request": {"KeyId": key, "Algorithm": alg, "Message": raw(msg), "MessageType": "RAW",
                                          "Signature": {"from": [1, "Signature"]}}},
            {"api": "GetPublicKey", "request": {"KeyId": key}},
        )
        assert verify["Value"] is True, (spec, alg)
        # Both signatures check out with an independent implementation.
        public = serialization.load_pem_public_key(pub["PublicKey"].encode())
        for s in (sign_raw, sign_digest):
            sig = unraw(s["Signature"])
            if alg == "RSA_PSS_SHA_256":
                public.verify(sig, msg, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
            elif alg == "RSA_PKCS1_SHA_256":
                public.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())
            else:
                public.verify(sig, msg, ec.ECDSA(hashes.SHA256()))
        # GetPublicKey agrees with the OpenAPI.
        assert call(client, "GetPublicKey", KeyId=key)["PublicKey"] == pub["PublicKey"]
        [bad] = dkms.ok({"api": "Verify", "request": {"KeyId": key, "Algorithm": alg, "Message": raw(b"tampered"),
                                                      "MessageType": "RAW", "Signature": sign_raw["Signature"]}})
        assert bad.get("Value") in (False, None), bad


def test_data_keys_and_random(dkms, client):
    key = new_key(client)
    gdk, dec, adk, adec, rnd = dkms.ok(
        {"api": "GenerateDataKey", "request": {"KeyId": key, "NumberOfBytes": 32, "Aad": raw(b"dk")}},
        {"api": "Decrypt", "request": {"KeyId": key, "CiphertextBlob": {"from": [0, "CiphertextBlob"]},
                                       "Iv": {"from": [0, "Iv"]}, "Aad": raw(b"dk")}},
        {"api": "AdvanceGenerateDataKey", "request": {"KeyId": key, "NumberOfBytes": 16}},
        {"api": "AdvanceDecrypt", "request": {"CiphertextBlob": {"from": [2, "CiphertextBlob"]}}},
        {"api": "GenerateRandom", "request": {"Length": 24}},
    )
    assert len(unraw(gdk["Plaintext"])) == 32 and unraw(dec["Plaintext"]) == unraw(gdk["Plaintext"])
    assert len(unraw(adk["Plaintext"])) == 16 and unraw(adec["Plaintext"]) == unraw(adk["Plaintext"])
    assert len(unraw(rnd["Random"])) == 24


def test_data_key_pairs(dkms, client):
    key = new_key(client)
    pair, dec, nopt, apair, adec = dkms.ok(
        {"api": "GenerateDataKeyPair", "request": {"KeyId": key, "KeyPairSpec": "RSA_2048", "KeyFormat": "PEM"}},
        {"api": "Decrypt", "request": {"KeyId": key, "CiphertextBlob": {"from": [0, "PrivateKeyCiphertextBlob"]},
                                       "Iv": {"from": [0, "Iv"]}}},
        {"api": "GenerateDataKeyPairWithoutPlaintext", "request": {"KeyId": key, "KeyPairSpec": "EC_P256", "KeyFormat": "DER"}},
        {"api": "AdvanceGenerateDataKeyPair", "request": {"KeyId": key, "KeyPairSpec": "EC_P256", "KeyFormat": "PEM"}},
        {"api": "AdvanceDecrypt", "request": {"CiphertextBlob": {"from": [3, "PrivateKeyCiphertextBlob"]}}},
    )
    private = serialization.load_pem_private_key(unraw(pair["PrivateKeyPlaintext"]), password=None)
    public = serialization.load_pem_public_key(unraw(pair["PublicKey"]))
    assert private.public_key().public_numbers() == public.public_numbers()
    assert unraw(dec["Plaintext"]) == unraw(pair["PrivateKeyPlaintext"])
    serialization.load_der_public_key(unraw(nopt["PublicKey"]))
    assert "PrivateKeyPlaintext" not in nopt or not nopt["PrivateKeyPlaintext"]
    assert unraw(adec["Plaintext"]) == unraw(apair["PrivateKeyPlaintext"])
    [w] = dkms.ok({"api": "AdvanceGenerateDataKeyPairWithoutPlaintext",
                   "request": {"KeyId": key, "KeyPairSpec": "RSA_2048", "KeyFormat": "DER"}})
    serialization.load_der_public_key(unraw(w["PublicKey"]))


def test_get_secret_value(dkms, client):
    call(client, "CreateSecret", SecretName="interop-dedicated", SecretData="s3cr3t-value", VersionId="v1")
    [s] = dkms.ok({"api": "GetSecretValue", "request": {"SecretName": "interop-dedicated"}})
    assert (s["SecretName"], s["SecretData"], s["VersionId"]) == ("interop-dedicated", "s3cr3t-value", "v1")
    assert s["VersionStages"] == ["ACSCurrent"]
    e = dkms.err({"api": "GetSecretValue", "request": {"SecretName": "no-such-secret"}})
    assert e["code"] == "Forbidden.ResourceNotFound", e


def test_errors_and_retries(dkms, client, emulator):
    e = dkms.err({"api": "Encrypt", "request": {"KeyId": "key-doesnotexist", "Plaintext": raw(b"x")}})
    assert e["code"] == "Forbidden.KeyNotFound", e
    assert e["data"]["httpCode"] == 404 and e["data"]["requestId"], e
    # Rejected.Throttling is the one code the Python client retries (with 1 s sleeps).
    before = emulator.count("GenerateRandom")
    emulator.admin("POST", "/_emulator/faults", {"kind": "throttling", "action": "GenerateRandom", "count": 1})
    [r] = dkms.ok({"api": "GenerateRandom", "request": {"Length": 8}})
    assert len(unraw(r["Random"])) == 8
    assert emulator.count("GenerateRandom") - before == 2
    # A wrong ClientKey password: the client cannot even open the PKCS#12.
    bad = {**dkms.config, "password": "wrong-password"}
    assert DKMS_PY.is_file()
    p = subprocess.run([str(DKMS_PY), str(DRIVER)],
                       input=json.dumps({"config": bad, "ops": []}).encode(), capture_output=True, timeout=60)
    assert p.returncode != 0, "a wrong ClientKey password must fail"
    # Without the instance CA, TLS verification fails.
    no_ca = {k: v for k, v in dkms.config.items() if k != "ca_file_path"}
    e = Dkms(no_ca).err({"api": "GenerateRandom", "request": {"Length": 8}})
    assert "certificate" in json.dumps(e).lower() or "ssl" in json.dumps(e).lower(), e


def kmskit_dedicated(emulator, dkms: Dkms, *args: str) -> dict:
    """The kmskit CLI with the same ClientKey, data-plane commands routed to the Instance API."""
    cfg = dkms.config
    return run_cli(emulator, "--client-key-file", cfg["client_key_file"],
                   "--client-key-password-file", str(Path(cfg["client_key_file"]).with_name("password.txt")),
                   "--instance-endpoint", "https://" + cfg["endpoint"],
                   "--ca-file", cfg["ca_file_path"], *args)


def test_ciphertexts_cross_between_the_official_client_and_kmskit(dkms, client, emulator):
    key = new_key(client)
    # kmskit -> official: kmskit's blob is the unified SDK's shared-gateway-compatible form
    # (AdvanceEncrypt's blob without its 3-byte header); kmskit encrypts the base64 text of the
    # plaintext, as on the shared gateway.
    enc = kmskit_dedicated(emulator, dkms, "encrypt", "--key-id", key, "--plaintext", "from kmskit")
    blob = b"$\x00\x02" + base64.b64decode(enc["CiphertextBlob"])
    [dec] = dkms.ok({"api": "AdvanceDecrypt", "request": {"CiphertextBlob": raw(blob)}})
    assert unraw(dec["Plaintext"]) == b64("from kmskit").encode()
    assert dec["KeyVersionId"] == enc["KeyVersionId"]
    # official -> kmskit, across a key rotation.
    [enc] = dkms.ok({"api": "AdvanceEncrypt", "request": {"KeyId": key, "Plaintext": raw(b64("from the SDK").encode())}})
    call(client, "CreateKeyVersion", KeyId=key)
    compatible = base64.b64encode(unraw(enc["CiphertextBlob"])[3:]).decode()
    out = kmskit_dedicated(emulator, dkms, "decrypt", "--ciphertext-blob", compatible)
    assert out["Plaintext"] == b64("from the SDK")
    assert out["KeyId"] == key
    # A data key made by kmskit decrypts with the official client too.
    dk = kmskit_dedicated(emulator, dkms, "generate-data-key", "--key-id", key, "--number-of-bytes", "32")
    [dec] = dkms.ok({"api": "AdvanceDecrypt",
                     "request": {"CiphertextBlob": raw(b"$\x00\x02" + base64.b64decode(dk["CiphertextBlob"]))}})
    assert unraw(dec["Plaintext"]) == dk["Plaintext"].encode()
    assert len(base64.b64decode(dk["Plaintext"])) == 32
