"""Type stubs for the native module ``kmskit._kmskit`` (checked with ``python -m mypy.stubtest``)."""

import asyncio
import datetime
import os
from collections.abc import Awaitable, Mapping
from typing import Any, Callable, Optional, Union, final

__all__ = [
    "__version__",
    "core_operations",
    "Client",
    "AsyncClient",
    "PendingCall",
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
    "core_instance_operations",
    "credentials_types",
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
    "EncryptResponse",
    "DecryptResponse",
    "GenerateDataKeyResponse",
    "GenerateDataKeyWithoutPlaintextResponse",
    "GetSecretValueResponse",
]

__version__: str

def core_operations() -> list[str]: ...
def core_instance_operations() -> list[str]: ...
def credentials_types() -> list[str]: ...

@final
class AccessKey:
    def __new__(cls, access_key_id: str, access_key_secret: str) -> AccessKey: ...
    @property
    def access_key_id(self) -> str: ...

@final
class StsToken:
    def __new__(
        cls,
        access_key_id: str,
        access_key_secret: str,
        security_token: str,
        expiration: Optional[Union[datetime.datetime, int, float]] = None,
    ) -> StsToken: ...
    @property
    def access_key_id(self) -> str: ...
    @property
    def expiration(self) -> Optional[datetime.datetime]: ...

_Static = Union[AccessKey, StsToken]
_SyncCallable = Callable[[], _Static]
_AsyncCallable = Callable[[], Awaitable[_Static]]

@final
class EcsRamRole:
    def __new__(
        cls,
        role_name: Optional[str] = None,
        *,
        metadata_endpoint: Optional[str] = None,
        disable_imds_v1: Optional[bool] = None,
    ) -> EcsRamRole: ...

@final
class RamRoleArn:
    def __new__(
        cls,
        source: _AnyCredentials,
        role_arn: Optional[str] = None,
        *,
        role_session_name: Optional[str] = None,
        duration_seconds: Optional[int] = None,
        policy: Optional[str] = None,
        external_id: Optional[str] = None,
        sts_region: Optional[str] = None,
        sts_endpoint: Optional[str] = None,
        enable_vpc: Optional[bool] = None,
    ) -> RamRoleArn: ...

@final
class OidcRoleArn:
    def __new__(
        cls,
        *,
        role_arn: Optional[str] = None,
        oidc_provider_arn: Optional[str] = None,
        oidc_token_file: Optional[Union[str, os.PathLike[str]]] = None,
        role_session_name: Optional[str] = None,
        duration_seconds: Optional[int] = None,
        policy: Optional[str] = None,
        sts_region: Optional[str] = None,
        sts_endpoint: Optional[str] = None,
        enable_vpc: Optional[bool] = None,
    ) -> OidcRoleArn: ...

@final
class CredentialsUri:
    def __new__(cls, uri: str) -> CredentialsUri: ...

@final
class CliProfile:
    def __new__(
        cls,
        profile_name: Optional[str] = None,
        *,
        config_file: Optional[Union[str, os.PathLike[str]]] = None,
        sts_endpoint: Optional[str] = None,
        metadata_endpoint: Optional[str] = None,
    ) -> CliProfile: ...

@final
class IniProfile:
    def __new__(
        cls,
        profile_name: Optional[str] = None,
        *,
        credentials_file: Optional[Union[str, os.PathLike[str]]] = None,
        sts_endpoint: Optional[str] = None,
        metadata_endpoint: Optional[str] = None,
    ) -> IniProfile: ...

@final
class DefaultChain:
    def __new__(
        cls, *, sts_endpoint: Optional[str] = None, metadata_endpoint: Optional[str] = None
    ) -> DefaultChain: ...

_Provider = Union[
    AccessKey,
    StsToken,
    EcsRamRole,
    RamRoleArn,
    OidcRoleArn,
    CredentialsUri,
    CliProfile,
    IniProfile,
    DefaultChain,
]
_Credentials = Union[_Provider, _SyncCallable]
_AnyCredentials = Union[_Provider, _SyncCallable, _AsyncCallable]
_PathLike = Union[str, os.PathLike[str]]

@final
class ClientKey:
    @staticmethod
    def from_file(
        path: _PathLike,
        password: Optional[str] = None,
        *,
        password_file: Optional[_PathLike] = None,
        password_env: Optional[str] = None,
    ) -> ClientKey: ...
    @staticmethod
    def from_json(
        json: Union[str, bytes],
        password: Optional[str] = None,
        *,
        password_file: Optional[_PathLike] = None,
        password_env: Optional[str] = None,
    ) -> ClientKey: ...
    @staticmethod
    def from_private_key_pem(key_id: str, pem: Union[str, bytes]) -> ClientKey: ...
    @property
    def key_id(self) -> str: ...
_Context = Optional[Mapping[str, str]]

@final
class EncryptResponse:
    @property
    def ciphertext_blob(self) -> str: ...
    @property
    def key_id(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class DecryptResponse:
    @property
    def plaintext(self) -> bytes: ...
    @property
    def key_id(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GenerateDataKeyResponse:
    @property
    def plaintext(self) -> bytes: ...
    @property
    def ciphertext_blob(self) -> str: ...
    @property
    def key_id(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GenerateDataKeyWithoutPlaintextResponse:
    @property
    def ciphertext_blob(self) -> str: ...
    @property
    def key_id(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GetSecretValueResponse:
    @property
    def secret_data(self) -> str: ...
    @property
    def secret_name(self) -> str: ...
    @property
    def secret_type(self) -> str: ...
    @property
    def secret_data_type(self) -> str: ...
    @property
    def version_id(self) -> str: ...
    @property
    def version_stages(self) -> list[str]: ...
    @property
    def create_time(self) -> str: ...
    @property
    def automatic_rotation(self) -> Optional[str]: ...
    @property
    def rotation_interval(self) -> Optional[str]: ...
    @property
    def last_rotation_date(self) -> Optional[str]: ...
    @property
    def next_rotation_date(self) -> Optional[str]: ...
    @property
    def extended_config(self) -> Optional[str]: ...
    @property
    def request_id(self) -> str: ...

@final
class InstanceEncryptResponse:
    @property
    def key_id(self) -> str: ...
    @property
    def ciphertext_blob(self) -> bytes: ...
    @property
    def iv(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def padding_mode(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class AdvanceEncryptResponse:
    @property
    def key_id(self) -> str: ...
    @property
    def ciphertext_blob(self) -> bytes: ...
    @property
    def iv(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def padding_mode(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class InstanceDecryptResponse:
    @property
    def plaintext(self) -> bytes: ...
    @property
    def key_id(self) -> str: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def padding_mode(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class SignResponse:
    @property
    def key_id(self) -> str: ...
    @property
    def signature(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def message_type(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class VerifyResponse:
    @property
    def key_id(self) -> str: ...
    @property
    def value(self) -> bool: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def message_type(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GenerateRandomResponse:
    @property
    def random(self) -> bytes: ...
    @property
    def request_id(self) -> str: ...

@final
class InstanceGenerateDataKeyResponse:
    @property
    def plaintext(self) -> bytes: ...
    @property
    def key_id(self) -> str: ...
    @property
    def iv(self) -> bytes: ...
    @property
    def ciphertext_blob(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GenerateDataKeyPairResponse:
    @property
    def private_key_plaintext(self) -> bytes: ...
    @property
    def key_id(self) -> str: ...
    @property
    def iv(self) -> bytes: ...
    @property
    def key_pair_spec(self) -> str: ...
    @property
    def private_key_ciphertext_blob(self) -> bytes: ...
    @property
    def public_key(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GenerateDataKeyPairWithoutPlaintextResponse:
    @property
    def key_id(self) -> str: ...
    @property
    def iv(self) -> bytes: ...
    @property
    def key_pair_spec(self) -> str: ...
    @property
    def private_key_ciphertext_blob(self) -> bytes: ...
    @property
    def public_key(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def key_version_id(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class GetPublicKeyResponse:
    @property
    def key_id(self) -> str: ...
    @property
    def public_key(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class InstanceGetSecretValueResponse:
    @property
    def secret_data(self) -> str: ...
    @property
    def secret_name(self) -> str: ...
    @property
    def secret_type(self) -> str: ...
    @property
    def secret_data_type(self) -> str: ...
    @property
    def version_stages(self) -> list[str]: ...
    @property
    def version_id(self) -> str: ...
    @property
    def create_time(self) -> str: ...
    @property
    def last_rotation_date(self) -> str: ...
    @property
    def next_rotation_date(self) -> str: ...
    @property
    def extended_config(self) -> str: ...
    @property
    def automatic_rotation(self) -> str: ...
    @property
    def rotation_interval(self) -> str: ...
    @property
    def request_id(self) -> str: ...

@final
class InstanceClient:
    def encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> InstanceEncryptResponse: ...
    def decrypt(
        self,
        key_id: str,
        ciphertext_blob: bytes,
        *,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> InstanceDecryptResponse: ...
    def advance_encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> AdvanceEncryptResponse: ...
    def advance_decrypt(
        self,
        ciphertext_blob: bytes,
        *,
        key_id: Optional[str] = None,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> InstanceDecryptResponse: ...
    def sign(
        self,
        key_id: str,
        algorithm: str,
        message: bytes,
        *,
        message_type: Optional[str] = None,
    ) -> SignResponse: ...
    def verify(
        self,
        key_id: str,
        algorithm: str,
        message: bytes,
        signature: bytes,
        *,
        message_type: Optional[str] = None,
    ) -> VerifyResponse: ...
    def generate_random(
        self,
        length: int,
    ) -> GenerateRandomResponse: ...
    def generate_data_key(
        self,
        key_id: str,
        *,
        algorithm: Optional[str] = None,
        number_of_bytes: Optional[int] = None,
        aad: Optional[bytes] = None,
    ) -> InstanceGenerateDataKeyResponse: ...
    def advance_generate_data_key(
        self,
        key_id: str,
        *,
        number_of_bytes: Optional[int] = None,
        aad: Optional[bytes] = None,
    ) -> InstanceGenerateDataKeyResponse: ...
    def generate_data_key_pair(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        algorithm: Optional[str] = None,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairResponse: ...
    def advance_generate_data_key_pair(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairResponse: ...
    def generate_data_key_pair_without_plaintext(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        algorithm: Optional[str] = None,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairWithoutPlaintextResponse: ...
    def advance_generate_data_key_pair_without_plaintext(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairWithoutPlaintextResponse: ...
    def get_public_key(
        self,
        key_id: str,
    ) -> GetPublicKeyResponse: ...
    def get_secret_value(
        self,
        secret_name: str,
        *,
        version_stage: Optional[str] = None,
        version_id: Optional[str] = None,
        fetch_extended_config: Optional[bool] = None,
    ) -> InstanceGetSecretValueResponse: ...

@final
class AsyncInstanceClient:
    async def encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> InstanceEncryptResponse: ...
    async def decrypt(
        self,
        key_id: str,
        ciphertext_blob: bytes,
        *,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> InstanceDecryptResponse: ...
    async def advance_encrypt(
        self,
        key_id: str,
        plaintext: bytes,
        *,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> AdvanceEncryptResponse: ...
    async def advance_decrypt(
        self,
        ciphertext_blob: bytes,
        *,
        key_id: Optional[str] = None,
        algorithm: Optional[str] = None,
        aad: Optional[bytes] = None,
        iv: Optional[bytes] = None,
        padding_mode: Optional[str] = None,
    ) -> InstanceDecryptResponse: ...
    async def sign(
        self,
        key_id: str,
        algorithm: str,
        message: bytes,
        *,
        message_type: Optional[str] = None,
    ) -> SignResponse: ...
    async def verify(
        self,
        key_id: str,
        algorithm: str,
        message: bytes,
        signature: bytes,
        *,
        message_type: Optional[str] = None,
    ) -> VerifyResponse: ...
    async def generate_random(
        self,
        length: int,
    ) -> GenerateRandomResponse: ...
    async def generate_data_key(
        self,
        key_id: str,
        *,
        algorithm: Optional[str] = None,
        number_of_bytes: Optional[int] = None,
        aad: Optional[bytes] = None,
    ) -> InstanceGenerateDataKeyResponse: ...
    async def advance_generate_data_key(
        self,
        key_id: str,
        *,
        number_of_bytes: Optional[int] = None,
        aad: Optional[bytes] = None,
    ) -> InstanceGenerateDataKeyResponse: ...
    async def generate_data_key_pair(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        algorithm: Optional[str] = None,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairResponse: ...
    async def advance_generate_data_key_pair(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairResponse: ...
    async def generate_data_key_pair_without_plaintext(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        algorithm: Optional[str] = None,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairWithoutPlaintextResponse: ...
    async def advance_generate_data_key_pair_without_plaintext(
        self,
        key_id: str,
        key_pair_spec: str,
        *,
        key_format: Optional[str] = None,
        aad: Optional[bytes] = None,
    ) -> GenerateDataKeyPairWithoutPlaintextResponse: ...
    async def get_public_key(
        self,
        key_id: str,
    ) -> GetPublicKeyResponse: ...
    async def get_secret_value(
        self,
        secret_name: str,
        *,
        version_stage: Optional[str] = None,
        version_id: Optional[str] = None,
        fetch_extended_config: Optional[bool] = None,
    ) -> InstanceGetSecretValueResponse: ...

@final
class Client:
    def __new__(
        cls,
        *,
        endpoint: Optional[str] = None,
        region: Optional[str] = None,
        credentials: Optional[_Credentials] = None,
        gateway: Optional[str] = None,
        instance_id: Optional[str] = None,
        instance_endpoint: Optional[str] = None,
        client_key: Optional[ClientKey] = None,
        route: Optional[str] = None,
        ca_pem: Optional[Union[bytes, str]] = None,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        connect_timeout_ms: Optional[int] = None,
        read_timeout_ms: Optional[int] = None,
        max_attempts: Optional[int] = None,
        user_agent_suffix: Optional[str] = None,
        signature_version: Optional[str] = None,
    ) -> Client: ...
    def encrypt(
        self, key_id: str, plaintext: bytes, encryption_context: _Context = None
    ) -> EncryptResponse: ...
    def decrypt(self, ciphertext_blob: str, encryption_context: _Context = None) -> DecryptResponse: ...
    def generate_data_key(
        self,
        key_id: str,
        number_of_bytes: Optional[int] = None,
        key_spec: Optional[str] = None,
        encryption_context: _Context = None,
    ) -> GenerateDataKeyResponse: ...
    def generate_data_key_without_plaintext(
        self,
        key_id: str,
        number_of_bytes: Optional[int] = None,
        key_spec: Optional[str] = None,
        encryption_context: _Context = None,
    ) -> GenerateDataKeyWithoutPlaintextResponse: ...
    def get_secret_value(
        self,
        secret_name: str,
        version_id: Optional[str] = None,
        version_stage: Optional[str] = None,
        fetch_extended_config: Optional[bool] = None,
    ) -> GetSecretValueResponse: ...
    def call(self, action: str, params: Optional[Mapping[str, Any]] = None) -> dict[str, Any]: ...
    @property
    def instance(self) -> InstanceClient: ...
    def with_route(self, route: str) -> Client: ...
    @property
    def route(self) -> str: ...

@final
class AsyncClient:
    def __new__(
        cls,
        *,
        endpoint: Optional[str] = None,
        region: Optional[str] = None,
        credentials: Optional[_AnyCredentials] = None,
        gateway: Optional[str] = None,
        instance_id: Optional[str] = None,
        instance_endpoint: Optional[str] = None,
        client_key: Optional[ClientKey] = None,
        route: Optional[str] = None,
        ca_pem: Optional[Union[bytes, str]] = None,
        ca_file: Optional[Union[str, os.PathLike[str]]] = None,
        connect_timeout_ms: Optional[int] = None,
        read_timeout_ms: Optional[int] = None,
        max_attempts: Optional[int] = None,
        user_agent_suffix: Optional[str] = None,
        signature_version: Optional[str] = None,
    ) -> AsyncClient: ...
    async def encrypt(
        self, key_id: str, plaintext: bytes, encryption_context: _Context = None
    ) -> EncryptResponse: ...
    async def decrypt(
        self, ciphertext_blob: str, encryption_context: _Context = None
    ) -> DecryptResponse: ...
    async def generate_data_key(
        self,
        key_id: str,
        number_of_bytes: Optional[int] = None,
        key_spec: Optional[str] = None,
        encryption_context: _Context = None,
    ) -> GenerateDataKeyResponse: ...
    async def generate_data_key_without_plaintext(
        self,
        key_id: str,
        number_of_bytes: Optional[int] = None,
        key_spec: Optional[str] = None,
        encryption_context: _Context = None,
    ) -> GenerateDataKeyWithoutPlaintextResponse: ...
    async def get_secret_value(
        self,
        secret_name: str,
        version_id: Optional[str] = None,
        version_stage: Optional[str] = None,
        fetch_extended_config: Optional[bool] = None,
    ) -> GetSecretValueResponse: ...
    async def call(
        self, action: str, params: Optional[Mapping[str, Any]] = None
    ) -> dict[str, Any]: ...
    @property
    def instance(self) -> AsyncInstanceClient: ...
    def with_route(self, route: str) -> AsyncClient: ...
    @property
    def route(self) -> str: ...

@final
class PendingCall:
    """Internal: a prepared async call; ``kmskit._aio.drive`` awaits it."""
    def start(self) -> asyncio.Future[Any]: ...
