"""A throwaway RS256 signer for the OIDC tests: an RSA key made with the standard library only
(Miller-Rabin primes), its JWKS document for the emulator, and JWTs signed with it
(RSASSA-PKCS1-v1_5, SHA-256). Test code only: no constant-time arithmetic, no padding checks."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any, Dict

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]
# DigestInfo prefix of SHA-256 (RFC 8017, section 9.2, note 1).
_SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def _probably_prime(n: int, rounds: int = 24) -> bool:
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = secrets.randbelow(n - 3) + 2
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, e: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if candidate % e != 1 and _probably_prime(candidate):
            return candidate


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


class RsaSigner:
    """An RSA-2048 key that signs JWTs, and the JWKS that trusts it."""

    def __init__(self, kid: str = "kmskit-py-test") -> None:
        e = 65537
        while True:
            p, q = _prime(1024, e), _prime(1024, e)
            n = p * q
            if p != q and n.bit_length() == 2048:
                break
        self.kid = kid
        self.n = n
        self.e = e
        self.d = pow(e, -1, (p - 1) * (q - 1))

    def jwks(self) -> Dict[str, Any]:
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64url(_int_bytes(self.n)),
                    "e": _b64url(_int_bytes(self.e)),
                }
            ]
        }

    def sign(self, message: bytes) -> bytes:
        k = (self.n.bit_length() + 7) // 8
        t = _SHA256_PREFIX + hashlib.sha256(message).digest()
        em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        return pow(int.from_bytes(em, "big"), self.d, self.n).to_bytes(k, "big")

    def jwt(self, subject: str = "system:serviceaccount:test:app", lifetime_s: int = 600) -> str:
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        claims = {
            "iss": "https://oidc.kmskit.test",
            "sub": subject,
            "aud": "sts.aliyuncs.com",
            "iat": now,
            "nbf": now - 5,
            "exp": now + lifetime_s,
        }
        signing_input = (
            _b64url(json.dumps(header).encode()) + "." + _b64url(json.dumps(claims).encode())
        )
        return signing_input + "." + _b64url(self.sign(signing_input.encode()))
