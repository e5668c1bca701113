"""Symmetric and asymmetric cryptography through the official Python SDK against the emulator;
asymmetric results are cross-checked with `cryptography` using GetPublicKey's PEM."""
import base64
import hashlib
import os

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils as asym_utils

from conftest import b64, call, kms_error
from test_keys import assert_client_error, new_key

# Symmetric Plaintext is an opaque string to KMS: these travel as-is, so they also exercise the
# emulator's canonicalisation of every character class the SDK percent-encodes.
TRICKY_PLAINTEXTS = {
    "base64": b64(bytes(range(256))),
    "space": "hello world  two spaces",
    "reserved": "+/=~*%&?#!'():@;,$[]",
    "percent_sequences": "100%25 %20 %2B +%",
    "newline_tab": "line1\nline2\tcol\r\nend",
    "unicode": "é 中文 🔐",
    "all": "a b+c/d=e~f*g%h&i?j#k!l'm(n)o:p@q;r,s$t[u]v\nw\tx é 中文 🔐",
    "large_4k": b64(os.urandom(3 * 1024)),
}

CONTEXT = {"tenant": "t 1&2=3+4%", "purpose": "interop é 中文 🔐", "n": "42", "q": 'say "hi" \\ ok'}


@pytest.fixture(scope="module")
def aes_key(client):
    return new_key(client)["KeyId"]


@pytest.mark.parametrize("name", sorted(TRICKY_PLAINTEXTS))
def test_encrypt_decrypt_roundtrip(client, aes_key, name):
    pt = TRICKY_PLAINTEXTS[name]
    enc = call(client, "Encrypt", KeyId=aes_key, Plaintext=pt)
    assert enc["KeyId"] == aes_key and enc["KeyVersionId"], enc
    assert enc["CiphertextBlob"] != pt
    base64.b64decode(enc["CiphertextBlob"], validate=True)
    dec = call(client, "Decrypt", CiphertextBlob=enc["CiphertextBlob"])
    assert dec["Plaintext"] == pt
    assert dec["KeyId"] == aes_key and dec["KeyVersionId"] == enc["KeyVersionId"]


def test_encrypt_is_randomised(client, aes_key):
    a = call(client, "Encrypt", KeyId=aes_key, Plaintext="c2FtZQ==")["CiphertextBlob"]
    b = call(client, "Encrypt", KeyId=aes_key, Plaintext="c2FtZQ==")["CiphertextBlob"]
    assert a != b


def test_sm4_roundtrip(client):
    kid = new_key(client, "Aliyun_SM4")["KeyId"]
    enc = call(client, "Encrypt", KeyId=kid, Plaintext="c200IGRhdGE=", EncryptionContext={"a": "b"})
    assert call(client, "Decrypt", CiphertextBlob=enc["CiphertextBlob"],
                EncryptionContext={"a": "b"})["Plaintext"] == "c200IGRhdGE="


def test_encryption_context(client, aes_key):
    enc = call(client, "Encrypt", KeyId=aes_key, Plaintext="c2VjcmV0", EncryptionContext=CONTEXT)
    blob = enc["CiphertextBlob"]
    same_reordered = dict(reversed(list(CONTEXT.items())))
    assert call(client, "Decrypt", CiphertextBlob=blob, EncryptionContext=same_reordered)["Plaintext"] == "c2VjcmV0"
    wrong = dict(CONTEXT, tenant="t 1&2=3+5%")
    assert_client_error(kms_error(client, "Decrypt", CiphertextBlob=blob, EncryptionContext=wrong))
    assert_client_error(kms_error(client, "Decrypt", CiphertextBlob=blob))
    extra = dict(CONTEXT, extra="x")
    assert_client_error(kms_error(client, "Decrypt", CiphertextBlob=blob, EncryptionContext=extra))


def test_decrypt_garbage_is_refused(client):
    assert_client_error(kms_error(client, "Decrypt", CiphertextBlob=b64(b"not a kms blob at all")))
    assert_client_error(kms_error(client, "Decrypt", CiphertextBlob="!!!not base64!!!"))


def test_tampered_ciphertext_is_refused(client, aes_key):
    blob = bytearray(base64.b64decode(call(client, "Encrypt", KeyId=aes_key, Plaintext="dGFtcGVy")["CiphertextBlob"]))
    blob[-1] ^= 0x01
    assert_client_error(kms_error(client, "Decrypt", CiphertextBlob=b64(bytes(blob))))


@pytest.mark.parametrize("kw,nbytes", [({"NumberOfBytes": 32}, 32), ({"NumberOfBytes": 1}, 1),
                                       ({"NumberOfBytes": 1024}, 1024), ({"KeySpec": "AES_128"}, 16),
                                       ({"KeySpec": "AES_256"}, 32), ({}, 32)])
def test_generate_data_key(client, aes_key, kw, nbytes):
    gdk = call(client, "GenerateDataKey", KeyId=aes_key, EncryptionContext={"k": "v w"}, **kw)
    assert len(base64.b64decode(gdk["Plaintext"], validate=True)) == nbytes
    assert gdk["KeyId"] == aes_key and gdk["KeyVersionId"]
    dec = call(client, "Decrypt", CiphertextBlob=gdk["CiphertextBlob"], EncryptionContext={"k": "v w"})
    assert dec["Plaintext"] == gdk["Plaintext"]


def test_generate_data_key_without_plaintext(client, aes_key):
    gdk = call(client, "GenerateDataKeyWithoutPlaintext", KeyId=aes_key, NumberOfBytes=32,
               EncryptionContext={"purpose": "wrap"})
    assert "Plaintext" not in gdk
    dec = call(client, "Decrypt", CiphertextBlob=gdk["CiphertextBlob"], EncryptionContext={"purpose": "wrap"})
    assert len(base64.b64decode(dec["Plaintext"], validate=True)) == 32


def test_decrypt_after_create_key_version(client):
    kid = new_key(client)["KeyId"]
    old = call(client, "Encrypt", KeyId=kid, Plaintext="b2xk", EncryptionContext={"v": "1"})
    v2 = call(client, "CreateKeyVersion", KeyId=kid)["KeyVersion"]["KeyVersionId"]
    new = call(client, "Encrypt", KeyId=kid, Plaintext="bmV3", EncryptionContext={"v": "2"})
    assert new["KeyVersionId"] == v2 != old["KeyVersionId"]
    d_old = call(client, "Decrypt", CiphertextBlob=old["CiphertextBlob"], EncryptionContext={"v": "1"})
    assert d_old["Plaintext"] == "b2xk" and d_old["KeyVersionId"] == old["KeyVersionId"]
    d_new = call(client, "Decrypt", CiphertextBlob=new["CiphertextBlob"], EncryptionContext={"v": "2"})
    assert d_new["Plaintext"] == "bmV3" and d_new["KeyVersionId"] == v2


def test_reencrypt(client, aes_key):
    dest = new_key(client)["KeyId"]
    enc = call(client, "Encrypt", KeyId=aes_key, Plaintext="cmUtZW5j", EncryptionContext={"s": "1"})
    re = call(client, "ReEncrypt", CiphertextBlob=enc["CiphertextBlob"], DestinationKeyId=dest,
              SourceEncryptionContext={"s": "1"}, DestinationEncryptionContext={"d": "2 3"})
    assert re["KeyId"] == dest
    dec = call(client, "Decrypt", CiphertextBlob=re["CiphertextBlob"], EncryptionContext={"d": "2 3"})
    assert dec["Plaintext"] == "cmUtZW5j" and dec["KeyId"] == dest


# --- asymmetric ----------------------------------------------------------------------------

def _primary(client, kid):
    return call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]["PrimaryKeyVersion"]


def _public_key(client, kid, ver):
    body = call(client, "GetPublicKey", KeyId=kid, KeyVersionId=ver)
    pem = body["PublicKey"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----"), pem[:60]
    assert body["KeyId"] == kid and body["KeyVersionId"] == ver
    return pem


SIGN_CASES = [
    ("RSA_2048", "RSA_PSS_SHA_256"),
    ("RSA_2048", "RSA_PKCS1_SHA_256"),
    ("RSA_3072", "RSA_PSS_SHA_256"),
    ("EC_P256", "ECDSA_SHA_256"),
    ("EC_P256K", "ECDSA_SHA_256"),
    ("EC_SM2", "SM2DSA"),
]


def _local_verify(pem, spec, alg, digest, sig):
    pub = serialization.load_pem_public_key(pem.encode())
    pre = asym_utils.Prehashed(hashes.SHA256())
    if alg == "RSA_PSS_SHA_256":
        assert isinstance(pub, rsa.RSAPublicKey) and pub.key_size == int(spec.split("_")[1])
        pub.verify(sig, digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                            salt_length=padding.PSS.AUTO), pre)
    elif alg == "RSA_PKCS1_SHA_256":
        pub.verify(sig, digest, padding.PKCS1v15(), pre)
    elif alg == "ECDSA_SHA_256":
        curve = {"EC_P256": ec.SECP256R1, "EC_P256K": ec.SECP256K1}[spec]
        assert isinstance(pub, ec.EllipticCurvePublicKey) and isinstance(pub.curve, curve)
        pub.verify(sig, digest, ec.ECDSA(pre))
    else:
        raise AssertionError(alg)


@pytest.mark.parametrize("spec,alg", SIGN_CASES)
def test_asymmetric_sign_verify(client, spec, alg):
    kid = new_key(client, spec, "SIGN/VERIFY")["KeyId"]
    ver = _primary(client, kid)
    digest = hashlib.sha256(f"message for {spec}/{alg} é".encode()).digest()
    sig = call(client, "AsymmetricSign", KeyId=kid, KeyVersionId=ver, Algorithm=alg, Digest=b64(digest))
    assert sig["KeyId"] == kid and sig["KeyVersionId"] == ver
    value = sig["Value"]
    ok = call(client, "AsymmetricVerify", KeyId=kid, KeyVersionId=ver, Algorithm=alg,
              Digest=b64(digest), Value=value)
    assert ok["Value"] is True, ok
    other = hashlib.sha256(b"another message").digest()
    bad = call(client, "AsymmetricVerify", KeyId=kid, KeyVersionId=ver, Algorithm=alg,
               Digest=b64(other), Value=value)
    assert bad["Value"] is False, bad
    pem = _public_key(client, kid, ver)
    if alg == "SM2DSA":
        # `cryptography` has no SM2; check the key is an SM2-curve SPKI and stop there.
        der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
        assert bytes.fromhex("06082a811ccf5501822d") in der, "SM2 public key lacks the SM2 curve OID"
        return
    _local_verify(pem, spec, alg, digest, base64.b64decode(value))
    with pytest.raises(InvalidSignature):
        _local_verify(pem, spec, alg, other, base64.b64decode(value))


def test_sign_with_encrypt_key_is_refused(client):
    kid = new_key(client, "RSA_3072", "ENCRYPT/DECRYPT")["KeyId"]
    digest = b64(hashlib.sha256(b"x").digest())
    assert_client_error(kms_error(client, "AsymmetricSign", KeyId=kid, KeyVersionId=_primary(client, kid),
                                  Algorithm="RSA_PSS_SHA_256", Digest=digest))


@pytest.mark.parametrize("spec", ["RSA_2048", "RSA_3072"])
@pytest.mark.parametrize("alg", ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"])
def test_asymmetric_encrypt_decrypt(client, spec, alg):
    kid = new_key(client, spec, "ENCRYPT/DECRYPT")["KeyId"]
    ver = _primary(client, kid)
    data = "asymmetric é 中文 🔐 payload".encode()
    enc = call(client, "AsymmetricEncrypt", KeyId=kid, KeyVersionId=ver, Algorithm=alg, Plaintext=b64(data))
    assert len(base64.b64decode(enc["CiphertextBlob"])) == int(spec.split("_")[1]) // 8
    dec = call(client, "AsymmetricDecrypt", KeyId=kid, KeyVersionId=ver, Algorithm=alg,
               CiphertextBlob=enc["CiphertextBlob"])
    assert base64.b64decode(dec["Plaintext"]) == data
    # Encrypt locally with the public key, decrypt through the emulator.
    pub = serialization.load_pem_public_key(_public_key(client, kid, ver).encode())
    h = hashes.SHA256() if alg.endswith("SHA_256") else hashes.SHA1()
    local = pub.encrypt(b"local secret \x00\xff", padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None))
    dec2 = call(client, "AsymmetricDecrypt", KeyId=kid, KeyVersionId=ver, Algorithm=alg, CiphertextBlob=b64(local))
    assert base64.b64decode(dec2["Plaintext"]) == b"local secret \x00\xff"
    # The other OAEP hash must not decrypt it.
    other = "RSAES_OAEP_SHA_1" if alg.endswith("SHA_256") else "RSAES_OAEP_SHA_256"
    assert_client_error(kms_error(client, "AsymmetricDecrypt", KeyId=kid, KeyVersionId=ver, Algorithm=other,
                                  CiphertextBlob=b64(local)))
