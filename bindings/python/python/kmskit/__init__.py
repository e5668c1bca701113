"""kmskit: an Alibaba Cloud KMS client, a thin Python face over the kmskit Rust core.

>>> import kmskit
>>> client = kmskit.Client(region="cn-hangzhou", credentials=kmskit.AccessKey("id", "secret"))
>>> r = client.encrypt("alias/app", b"data")                       # doctest: +SKIP
>>> client.decrypt(r.ciphertext_blob).plaintext                    # doctest: +SKIP
b'data'

``Client`` blocks (releasing the GIL while it waits); ``AsyncClient`` returns asyncio futures.
Credentials: ``AccessKey``, ``StsToken``, the providers (``EcsRamRole``, ``RamRoleArn``,
``OidcRoleArn``, ``CredentialsUri``, ``CliProfile``, ``IniProfile``, ``DefaultChain``, the default)
or any callable returning ``AccessKey``/``StsToken``. With a ``ClientKey``, ``client.instance`` is
the dedicated gateway's Instance API. Errors are ``KmsError`` subclasses, one per kind. See
docs/python.md.
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
    AdvanceEncryptResponse,
    AsyncClient,
    AsyncInstanceClient,
    CliProfile,
    Client,
    ClientKey,
    CredentialsUri,
    DecryptResponse,
    DefaultChain,
    EcsRamRole,
    EncryptResponse,
    GenerateDataKeyPairResponse,
    GenerateDataKeyPairWithoutPlaintextResponse,
    GenerateDataKeyResponse,
    GenerateDataKeyWithoutPlaintextResponse,
    GenerateRandomResponse,
    GetPublicKeyResponse,
    GetSecretValueResponse,
    IniProfile,
    InstanceClient,
    InstanceDecryptResponse,
    InstanceEncryptResponse,
    InstanceGenerateDataKeyResponse,
    InstanceGetSecretValueResponse,
    OidcRoleArn,
    RamRoleArn,
    SignResponse,
    StsToken,
    VerifyResponse,
    __version__,
    core_instance_operations,
    core_operations,
    credentials_types,
)

__all__ = [
    "__version__",
    "core_operations",
    "core_instance_operations",
    "credentials_types",
    "Client",
    "AsyncClient",
    "AccessKey",
    "StsToken",
    "EcsRamRole",
    "RamRoleArn",
    "OidcRoleArn",
    "CredentialsUri",
    "CliProfile",
    "IniProfile",
    "DefaultChain",
    "ClientKey",
    "InstanceClient",
    "AsyncInstanceClient",
    "EncryptResponse",
    "DecryptResponse",
    "GenerateDataKeyResponse",
    "GenerateDataKeyWithoutPlaintextResponse",
    "GetSecretValueResponse",
    "InstanceEncryptResponse",
    "AdvanceEncryptResponse",
    "InstanceDecryptResponse",
    "SignResponse",
    "VerifyResponse",
    "GenerateRandomResponse",
    "InstanceGenerateDataKeyResponse",
    "GenerateDataKeyPairResponse",
    "GenerateDataKeyPairWithoutPlaintextResponse",
    "GetPublicKeyResponse",
    "InstanceGetSecretValueResponse",
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
