"""kmskit: an Alibaba Cloud KMS client, a thin Python face over the kmskit Rust core.

>>> import kmskit
>>> client = kmskit.Client(region="cn-hangzhou", credentials=kmskit.AccessKey("id", "secret"))
>>> r = client.encrypt("alias/app", b"data")                       # doctest: +SKIP
>>> client.decrypt(r.ciphertext_blob).plaintext                    # doctest: +SKIP
b'data'

``Client`` blocks (releasing the GIL while it waits); ``AsyncClient`` returns asyncio futures.
Errors are ``KmsError`` subclasses, one per kind. See docs/python.md.
"""

from __future__ import annotations

from kmskit._errors import (
    AuthenticationError,
    AuthorizationError,
    ConfigurationError,
    CredentialsError,
    CryptoError,
    InternalError,
    InvalidArgumentError,
    KmsError,
    KmsTimeoutError,
    NetworkError,
    NotFoundError,
    ServiceError,
    ThrottlingError,
)
from kmskit._kmskit import (
    AccessKey,
    AsyncClient,
    Client,
    DecryptResponse,
    EncryptResponse,
    GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse,
    GetSecretValueResponse,
    StsToken,
    __version__,
    core_operations,
)

__all__ = [
    "__version__",
    "core_operations",
    "Client",
    "AsyncClient",
    "AccessKey",
    "StsToken",
    "EncryptResponse",
    "DecryptResponse",
    "GenerateDataKeyResponse",
    "GenerateDataKeyWithoutPlaintextResponse",
    "GetSecretValueResponse",
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
