"""The quickstart demo with kmskit's Python face: a key, encrypt/decrypt with a context, a data
key, a secret stored and read back, and a typed error. Run by scripts/quickstart against the
emulator (KMSKIT_ENDPOINT and the ALIBABA_CLOUD_ACCESS_KEY_* variables)."""
import os

import kmskit

client = kmskit.Client(endpoint=os.environ["KMSKIT_ENDPOINT"], region="cn-hangzhou")  # keys from the environment

key_id = client.call("CreateKey", {"KeySpec": "Aliyun_AES_256"})["KeyMetadata"]["KeyId"]
context = {"app": "quickstart-python"}
enc = client.encrypt(key_id, b"hello from Python", encryption_context=context)
dec = client.decrypt(enc.ciphertext_blob, encryption_context=context)
print(f"python: encrypted under {enc.key_id}, decrypted {dec.plaintext.decode()!r}")

dk = client.generate_data_key(key_id, number_of_bytes=32)
assert client.decrypt(dk.ciphertext_blob).plaintext == dk.plaintext
print(f"python: data key of {len(dk.plaintext)} bytes, wrapped as {dk.ciphertext_blob[:24]}...")

client.call("CreateSecret", {"SecretName": "quickstart/python", "SecretData": "s3cr3t", "VersionId": "v1"})
print(f"python: secret read back: {client.get_secret_value('quickstart/python').secret_data!r}")

try:
    client.encrypt("alias/does-not-exist", b"x")
except kmskit.NotFoundError as e:
    print(f"python: unknown key -> {type(e).__name__} {e.code} {e.service_code} (request id {e.request_id})")
