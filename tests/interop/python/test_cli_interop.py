"""Cross-implementation: what the official Python SDK makes, the kmskit CLI reads, and back.

CLI contract (cli/): `kmskit --endpoint URL --region R <cmd>`, credentials from
ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET; prints the KMS response JSON (wire names) on stdout.
`encrypt --plaintext TEXT` sends base64(UTF-8 TEXT) as KMS Plaintext (and `--plaintext-file F`
base64 of the file's bytes); `decrypt` prints Plaintext exactly as KMS returns it.
"""
import base64
import json
import os

import pytest

from conftest import b64, call, run_cli
from test_keys import new_key
from test_secrets import secret_name

CTX = {"app": "interop é", "chars": "a b&c=d+e%"}


def test_official_encrypt_cli_decrypt(emulator, client):
    kid = new_key(client)["KeyId"]
    pt = b64("official → kmskit é 中文 🔐".encode())
    enc = call(client, "Encrypt", KeyId=kid, Plaintext=pt)
    out = run_cli(emulator, "decrypt", "--ciphertext-blob", enc["CiphertextBlob"])
    assert out["Plaintext"] == pt and out["KeyId"] == kid and out["KeyVersionId"] == enc["KeyVersionId"]
    assert out["RequestId"]


def test_official_encrypt_cli_decrypt_with_context(emulator, client):
    kid = new_key(client)["KeyId"]
    pt = b64(b"with context")
    enc = call(client, "Encrypt", KeyId=kid, Plaintext=pt, EncryptionContext=CTX)
    out = run_cli(emulator, "decrypt", "--ciphertext-blob", enc["CiphertextBlob"],
                  "--encryption-context", json.dumps(dict(reversed(list(CTX.items()))), ensure_ascii=False))
    assert out["Plaintext"] == pt
    code, stdout, stderr = run_cli(emulator, "decrypt", "--ciphertext-blob", enc["CiphertextBlob"],
                                   "--encryption-context", json.dumps({"app": "other"}), check=False)
    assert code != 0 and stdout.strip() == "", (code, stdout, stderr)
    assert stderr.strip(), "CLI failed without saying why on stderr"


def test_cli_encrypt_official_decrypt(emulator, client):
    kid = new_key(client)["KeyId"]
    text = "kmskit → official é 中文 🔐 & = + %"
    out = run_cli(emulator, "encrypt", "--key-id", kid, "--plaintext", text,
                  "--encryption-context", json.dumps(CTX, ensure_ascii=False))
    assert out["KeyId"] == kid and out["KeyVersionId"] and out["RequestId"]
    dec = call(client, "Decrypt", CiphertextBlob=out["CiphertextBlob"], EncryptionContext=CTX)
    assert base64.b64decode(dec["Plaintext"]).decode("utf-8") == text
    # and the CLI reads its own ciphertext back the same way
    back = run_cli(emulator, "decrypt", "--ciphertext-blob", out["CiphertextBlob"],
                   "--encryption-context", json.dumps(CTX, ensure_ascii=False))
    assert back["Plaintext"] == dec["Plaintext"]


def test_cli_encrypt_file_official_decrypt(emulator, client, tmpfile):
    kid = new_key(client)["KeyId"]
    data = bytes(range(256)) + os.urandom(1000)
    out = run_cli(emulator, "encrypt", "--key-id", kid, "--plaintext-file", tmpfile(data))
    dec = call(client, "Decrypt", CiphertextBlob=out["CiphertextBlob"])
    assert base64.b64decode(dec["Plaintext"]) == data


def test_cli_generate_data_key_official_decrypt(emulator, client):
    kid = new_key(client)["KeyId"]
    out = run_cli(emulator, "generate-data-key", "--key-id", kid, "--number-of-bytes", "16")
    assert len(base64.b64decode(out["Plaintext"])) == 16
    assert call(client, "Decrypt", CiphertextBlob=out["CiphertextBlob"])["Plaintext"] == out["Plaintext"]


def test_official_secret_read_by_cli(emulator, client):
    name = secret_name("cli")
    data1, data2 = "v1: user=a&pw=b+c% é 中文 🔐", "v2: {\"k\": \"v\"}"
    call(client, "CreateSecret", SecretName=name, SecretData=data1, VersionId="v1")
    out = run_cli(emulator, "get-secret", "--secret-name", name)
    assert out["SecretData"] == data1 and out["VersionId"] == "v1" and out["SecretName"] == name
    call(client, "PutSecretValue", SecretName=name, SecretData=data2, VersionId="v2")
    assert run_cli(emulator, "get-secret", "--secret-name", name)["SecretData"] == data2
    prev = run_cli(emulator, "get-secret", "--secret-name", name, "--version-stage", "ACSPrevious")
    assert prev["SecretData"] == data1 and prev["VersionId"] == "v1"


def test_cli_call_generic_action(emulator, client):
    out = run_cli(emulator, "call", "CreateKey", "--param", "KeySpec=Aliyun_AES_256",
                  "--param", "KeyUsage=ENCRYPT/DECRYPT", "--param", "Description=made by cli é & = +")
    kid = out["KeyMetadata"]["KeyId"]
    md = call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]
    assert md["Description"] == "made by cli é & = +"
    name = secret_name("clicall")
    run_cli(emulator, "call", "CreateSecret", "--param", f"SecretName={name}",
            "--param", "SecretData=a=b&c", "--param", "VersionId=v1")
    assert call(client, "GetSecretValue", SecretName=name)["SecretData"] == "a=b&c"


def test_cli_wrong_secret_fails_cleanly(emulator):
    code, stdout, stderr = run_cli(emulator, "call", "ListKeys", secret="wrong-secret", check=False)
    assert code != 0 and stdout.strip() == "", (code, stdout)
    assert "SignatureDoesNotMatch" in stderr, stderr
    assert "wrong-secret" not in stderr and emulator.secret not in stderr, "CLI leaked a secret on stderr"


def test_cli_decrypts_official_non_base64_plaintext(emulator, client):
    kid = new_key(client)["KeyId"]
    enc = call(client, "Encrypt", KeyId=kid, Plaintext="hello world")
    assert call(client, "Decrypt", CiphertextBlob=enc["CiphertextBlob"])["Plaintext"] == "hello world"
    out = run_cli(emulator, "decrypt", "--ciphertext-blob", enc["CiphertextBlob"])
    assert out["Plaintext"] == "hello world"


def test_cli_rpc_v1_signature_interop(emulator, client):
    kid = new_key(client)["KeyId"]
    out = run_cli(emulator, "--signature", "rpc", "encrypt", "--key-id", kid, "--plaintext", "rpc & = + % é",
                  "--encryption-context", json.dumps(CTX, ensure_ascii=False))
    dec = call(client, "Decrypt", CiphertextBlob=out["CiphertextBlob"], EncryptionContext=CTX)
    assert base64.b64decode(dec["Plaintext"]).decode() == "rpc & = + % é"
    name = secret_name("clirpc")
    call(client, "CreateSecret", SecretName=name, SecretData="rpc secret & é", VersionId="v1")
    assert run_cli(emulator, "--signature", "rpc", "get-secret", "--secret-name", name)["SecretData"] == "rpc secret & é"


def test_cli_retries_injected_503s(emulator, client):
    kid = new_key(client)["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "error", "action": "Encrypt", "count": 2, "status": 503})
    before = emulator.count("Encrypt")
    out = run_cli(emulator, "--max-attempts", "3", "encrypt", "--key-id", kid, "--plaintext", "retry me")
    assert out["KeyId"] == kid
    assert emulator.count("Encrypt") - before == 3


def test_cli_honours_throttling_then_succeeds(emulator, client):
    kid = new_key(client)["KeyId"]
    emulator.admin("POST", "/_emulator/faults",
                   {"kind": "throttling", "action": "GenerateDataKey", "count": 1, "retry_after_ms": 50})
    before = emulator.count("GenerateDataKey")
    out = run_cli(emulator, "--max-attempts", "2", "generate-data-key", "--key-id", kid)
    assert len(base64.b64decode(out["Plaintext"])) == 32
    assert emulator.count("GenerateDataKey") - before == 2


def test_cli_without_retries_reports_the_service_error(emulator, client):
    kid = new_key(client)["KeyId"]
    emulator.admin("POST", "/_emulator/faults", {"kind": "error", "action": "Encrypt", "count": 1, "status": 503})
    before = emulator.count("Encrypt")
    code, stdout, stderr = run_cli(emulator, "--max-attempts", "1", "encrypt", "--key-id", kid,
                                   "--plaintext", "x", check=False)
    assert code != 0 and stdout.strip() == "", (code, stdout)
    assert "503" in stderr, stderr
    assert emulator.count("Encrypt") - before == 1
