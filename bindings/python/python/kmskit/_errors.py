"""kmskit's exceptions: one base class, one subclass per error kind.

The native module maps every core error to these classes in one function
(``bindings/python/src/errors.rs``). Messages never contain secrets or plaintexts.
"""

from __future__ import annotations

import builtins
from typing import Optional

__all__ = [
    "KmsError",
    "ThrottlingError",
    "AuthenticationError",
    "AuthorizationError",
    "NotFoundError",
    "InvalidArgumentError",
    "NetworkError",
    "KmsTimeoutError",
    "ServiceError",
    "CredentialsError",
    "ConfigurationError",
    "CryptoError",
    "InternalError",
]


class KmsError(Exception):
    """Any failure of a kmskit call.

    Attributes:
        message: kmskit's description, or the service's message for service errors.
        code: kmskit's stable numeric error code (e.g. 3301).
        name: the code's name (e.g. ``"ResourceNotFound"``).
        kind: the error kind (e.g. ``"NotFound"``); each kind has its own subclass.
        service_code: the service's own code (e.g. ``"Forbidden.KeyNotFound"``), if it answered.
        request_id: the service's request id, if it answered.
        http_status: the HTTP status of the answer, if there was one.
        retryable: whether the same call may succeed if tried again later.
    """

    message: str
    code: int
    name: str
    kind: str
    service_code: Optional[str]
    request_id: Optional[str]
    http_status: Optional[int]
    retryable: bool

    def __init__(
        self,
        message: str = "",
        code: int = 9001,
        name: str = "Internal",
        kind: str = "Internal",
        service_code: Optional[str] = None,
        request_id: Optional[str] = None,
        http_status: Optional[int] = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.name = name
        self.kind = kind
        self.service_code = service_code
        self.request_id = request_id
        self.http_status = http_status
        self.retryable = retryable

    def __str__(self) -> str:
        text = f"[{self.code} {self.name}] "
        if self.service_code:
            text += f"{self.service_code}: "
        text += self.message
        if self.http_status is not None:
            text += f" (http {self.http_status}"
            if self.request_id:
                text += f", request id {self.request_id}"
            text += ")"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code}, name={self.name!r}, kind={self.kind!r}, "
            f"service_code={self.service_code!r}, request_id={self.request_id!r}, "
            f"http_status={self.http_status!r}, retryable={self.retryable!r}, "
            f"message={self.message!r})"
        )


class ThrottlingError(KmsError):
    """The service throttled the request (after the client's own retries)."""


class AuthenticationError(KmsError):
    """The signature, access key, timestamp, nonce or token was refused."""


class AuthorizationError(KmsError):
    """The caller is not allowed to do this."""


class NotFoundError(KmsError):
    """The key, alias, secret or version does not exist."""


class InvalidArgumentError(KmsError):
    """An argument was refused, by kmskit or by the service (including a resource's state)."""


class NetworkError(KmsError):
    """Could not connect, the connection was lost, or TLS failed."""


class KmsTimeoutError(KmsError, builtins.TimeoutError):
    """Connecting or reading the response took longer than its timeout.

    Named ``KmsTimeoutError`` so that ``from kmskit import *`` never shadows the builtin
    ``TimeoutError``; it is also a subclass of the builtin, so ``except TimeoutError`` catches it.
    """


class ServiceError(KmsError):
    """The service failed (5xx, unavailable, or an answer kmskit could not read)."""


class CredentialsError(KmsError):
    """No credentials could be obtained, or they are malformed."""


class ConfigurationError(KmsError):
    """The client's options are invalid (endpoint, region, gateway, CA, timeouts, ...)."""


class CryptoError(KmsError):
    """A cryptographic operation failed (bad ciphertext, wrong encryption context)."""


class InternalError(KmsError):
    """A bug in kmskit."""
