"""Type stubs for the native module ``kmskit._kmskit`` (checked with ``python -m mypy.stubtest``)."""

import asyncio
import os
from collections.abc import Mapping
from typing import Any, Optional, Union, final

__all__ = [
    "__version__",
    "core_operations",
    "Client",
    "AsyncClient",
    "PendingCall",
    "AccessKey",
    "StsToken",
    "EncryptResponse",
    "DecryptResponse",
    "GenerateDataKeyResponse",
    "GenerateDataKeyWithoutPlaintextResponse",
    "GetSecretValueResponse",
]

__version__: str

def core_operations() -> list[str]: ...

@final
class AccessKey:
    def __new__(cls, access_key_id: str, access_key_secret: str) -> AccessKey: ...
    @property
    def access_key_id(self) -> str: ...

@final
class StsToken:
    def __new__(cls, access_key_id: str, access_key_secret: str, security_token: str) -> StsToken: ...
    @property
    def access_key_id(self) -> str: ...

_Credentials = Union[AccessKey, StsToken]
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
class Client:
    def __new__(
        cls,
        *,
        endpoint: Optional[str] = None,
        region: Optional[str] = None,
        credentials: Optional[_Credentials] = None,
        gateway: Optional[str] = None,
        instance_id: Optional[str] = None,
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

@final
class AsyncClient:
    def __new__(
        cls,
        *,
        endpoint: Optional[str] = None,
        region: Optional[str] = None,
        credentials: Optional[_Credentials] = None,
        gateway: Optional[str] = None,
        instance_id: Optional[str] = None,
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

@final
class PendingCall:
    """Internal: a prepared async call; ``kmskit._aio.drive`` awaits it."""
    def start(self) -> asyncio.Future[Any]: ...
