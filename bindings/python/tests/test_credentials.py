"""Every credentials source against the emulator's KMS, STS and ECS metadata listeners: static
keys, ECS RAM role, RAM role ARN (from static, chained and custom sources), OIDC, credentials URI,
CLI and ini profiles, the default chain, and Python callables (sync and async)."""

from __future__ import annotations

import asyncio
import datetime
import http.server
import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

import kmskit

from conftest import Emulator, unique, wait_child

ROLE_ARN = "acs:ram::1234567890123456:role/kmskit-python"
OIDC_PROVIDER_ARN = "acs:ram::1234567890123456:oidc-provider/kmskit-python"
CHAIN_VARS = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_CONFIG_FILE",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ALIBABA_CLOUD_ECS_METADATA",
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
]


def roundtrip(c: kmskit.Client, alias: str, data: bytes = b"credentials") -> None:
    assert c.decrypt(c.encrypt(alias, data).ciphertext_blob).plaintext == data


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No credentials anywhere: no variables, an empty home, no metadata service."""
    for name in CHAIN_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    return monkeypatch


# --- static ------------------------------------------------------------------------------------


def test_sts_token_expiration() -> None:
    at = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    t = kmskit.StsToken("STS.id", "secret-value", "token-value", expiration=at)
    assert t.expiration == at
    assert kmskit.StsToken("STS.id", "s", "t", expiration=at.timestamp()).expiration == at
    assert kmskit.StsToken("STS.id", "s", "t").expiration is None
    with pytest.raises(ValueError):
        kmskit.StsToken("STS.id", "s", "t", expiration=datetime.datetime(2030, 1, 1))
    with pytest.raises(TypeError):
        kmskit.StsToken("STS.id", "s", "t", expiration="2030-01-01")  # type: ignore[arg-type]
    assert "secret-value" not in repr(t) and "token-value" not in repr(t)


def test_wrong_credentials_type() -> None:
    with pytest.raises(TypeError):
        kmskit.Client(region="cn-hangzhou", credentials="LTAI:secret")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kmskit.RamRoleArn(object(), ROLE_ARN)  # type: ignore[arg-type]


def test_provider_options_are_checked_at_construction() -> None:
    with pytest.raises(kmskit.ConfigurationError) as e:
        kmskit.RamRoleArn(kmskit.AccessKey("a", "b"), ROLE_ARN, duration_seconds=60)
    assert e.value.code == 1101
    with pytest.raises(kmskit.ConfigurationError):
        kmskit.CredentialsUri("not a url")
    with pytest.raises(kmskit.ConfigurationError):
        kmskit.RamRoleArn(kmskit.AccessKey("a", "b"))  # no role ARN, none in the environment


def test_provider_reprs_hide_secrets() -> None:
    source = kmskit.AccessKey("LTAIsource", "source-secret-value")
    role = kmskit.RamRoleArn(source, ROLE_ARN, external_id="ext", policy="{}")
    assert ROLE_ARN in repr(role) and "LTAIsource" in repr(role)
    assert "source-secret-value" not in repr(role)
    uri = kmskit.CredentialsUri("http://127.0.0.1:1/creds?token=very-secret-token")
    assert "very-secret-token" not in repr(uri) and "127.0.0.1:1" in repr(uri)
    for obj in (
        kmskit.EcsRamRole("role", metadata_endpoint="http://127.0.0.1:1"),
        kmskit.CliProfile("p", config_file="/nonexistent/config.json"),
        kmskit.IniProfile("p", credentials_file="/nonexistent/credentials.ini"),
        kmskit.DefaultChain(sts_endpoint="http://127.0.0.1:1"),
        kmskit.OidcRoleArn(
            role_arn=ROLE_ARN, oidc_provider_arn=OIDC_PROVIDER_ARN, oidc_token_file="/t"
        ),
    ):
        assert type(obj).__name__ in repr(obj)


# --- ECS RAM role, RAM role ARN, OIDC ----------------------------------------------------------


def test_ecs_ram_role(emulator: Emulator, alias: str) -> None:
    discovered = kmskit.EcsRamRole(metadata_endpoint=emulator.metadata_endpoint)
    roundtrip(emulator.client(credentials=discovered), alias)
    named = kmskit.EcsRamRole(emulator.metadata_role_name, metadata_endpoint=emulator.metadata_endpoint)
    roundtrip(emulator.client(credentials=named), alias)
    wrong = kmskit.EcsRamRole("no-such-role", metadata_endpoint=emulator.metadata_endpoint)
    with pytest.raises(kmskit.CredentialsError) as e:
        emulator.client(credentials=wrong).encrypt(alias, b"x")
    assert e.value.code == 1201


def test_ram_role_arn_from_access_key(emulator: Emulator, alias: str) -> None:
    role = kmskit.RamRoleArn(
        emulator.access_key(),
        ROLE_ARN,
        role_session_name="py-test",
        sts_endpoint=emulator.sts_endpoint,
    )
    before = emulator.count("AssumeRole")
    c = emulator.client(credentials=role)
    roundtrip(c, alias)
    roundtrip(c, alias)
    # Cached: one AssumeRole for both calls.
    assert emulator.count("AssumeRole") - before == 1


def test_ram_role_arn_chained_and_from_sts_source(emulator: Emulator, alias: str) -> None:
    first = kmskit.RamRoleArn(emulator.access_key(), ROLE_ARN, sts_endpoint=emulator.sts_endpoint)
    second = kmskit.RamRoleArn(
        first, "acs:ram::1234567890123456:role/second", sts_endpoint=emulator.sts_endpoint
    )
    roundtrip(emulator.client(credentials=second), alias)
    from_ecs = kmskit.RamRoleArn(
        kmskit.EcsRamRole(metadata_endpoint=emulator.metadata_endpoint),
        ROLE_ARN,
        sts_endpoint=emulator.sts_endpoint,
    )
    roundtrip(emulator.client(credentials=from_ecs), alias)


def test_ram_role_arn_refused_source(emulator: Emulator, alias: str) -> None:
    wrong = kmskit.AccessKey(emulator.access_key_id, "wrong-secret-for-sts")
    role = kmskit.RamRoleArn(wrong, ROLE_ARN, sts_endpoint=emulator.sts_endpoint)
    with pytest.raises(kmskit.CredentialsError) as e:
        emulator.client(credentials=role, max_attempts=1).encrypt(alias, b"x")
    assert e.value.code == 1201
    assert "wrong-secret-for-sts" not in str(e.value)


def test_oidc_role_arn(emulator: Emulator, alias: str, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(emulator.oidc.jwt())
    oidc = kmskit.OidcRoleArn(
        role_arn=ROLE_ARN,
        oidc_provider_arn=OIDC_PROVIDER_ARN,
        oidc_token_file=token,
        role_session_name="py-oidc",
        sts_endpoint=emulator.sts_endpoint,
    )
    roundtrip(emulator.client(credentials=oidc), alias)
    # A token the emulator's JWKS does not trust is refused.
    forged = tmp_path / "forged"
    parts = emulator.oidc.jwt().split(".")
    forged.write_text(".".join(parts[:2] + [parts[2][::-1]]))
    bad = kmskit.OidcRoleArn(
        role_arn=ROLE_ARN,
        oidc_provider_arn=OIDC_PROVIDER_ARN,
        oidc_token_file=forged,
        sts_endpoint=emulator.sts_endpoint,
    )
    with pytest.raises(kmskit.CredentialsError):
        emulator.client(credentials=bad, max_attempts=1).encrypt(alias, b"x")


# --- credentials URI -------------------------------------------------------------------------


class _CredentialsServer:
    def __init__(self, body: Any) -> None:
        self.body = body
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                outer.hits += 1
                data = json.dumps(outer.body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/credentials?token=t0k3n"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def uri_server(emulator: Emulator) -> Iterator[_CredentialsServer]:
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    server = _CredentialsServer(
        {
            "Code": "Success",
            "AccessKeyId": emulator.access_key_id,
            "AccessKeySecret": emulator.access_key_secret,
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    yield server
    server.close()


def test_credentials_uri(emulator: Emulator, alias: str, uri_server: _CredentialsServer) -> None:
    c = emulator.client(credentials=kmskit.CredentialsUri(uri_server.url))
    roundtrip(c, alias)
    roundtrip(c, alias)
    assert uri_server.hits == 1
    uri_server.body = {"Code": "Failure", "Message": "no credentials for you"}
    with pytest.raises(kmskit.CredentialsError) as e:
        emulator.client(credentials=kmskit.CredentialsUri(uri_server.url)).encrypt(alias, b"x")
    assert e.value.code == 1201


# --- profile files -----------------------------------------------------------------------------


def test_cli_profile(emulator: Emulator, alias: str, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "current": "ak",
                "profiles": [
                    {
                        "name": "ak",
                        "mode": "AK",
                        "access_key_id": emulator.access_key_id,
                        "access_key_secret": emulator.access_key_secret,
                        "region_id": "cn-hangzhou",
                    },
                    {
                        "name": "role",
                        "mode": "RamRoleArn",
                        "access_key_id": emulator.access_key_id,
                        "access_key_secret": emulator.access_key_secret,
                        "ram_role_arn": ROLE_ARN,
                        "ram_session_name": "py-cli",
                        "region_id": "cn-hangzhou",
                    },
                    {"name": "odd", "mode": "Bearer"},
                ],
            }
        )
    )
    roundtrip(emulator.client(credentials=kmskit.CliProfile(config_file=config)), alias)
    before = emulator.count("AssumeRole")
    role = kmskit.CliProfile("role", config_file=str(config), sts_endpoint=emulator.sts_endpoint)
    roundtrip(emulator.client(credentials=role), alias)
    assert emulator.count("AssumeRole") - before == 1
    with pytest.raises(kmskit.CredentialsError):
        emulator.client(credentials=kmskit.CliProfile("odd", config_file=config)).encrypt(alias, b"x")


def test_ini_profile(emulator: Emulator, alias: str, tmp_path: Path) -> None:
    ini = tmp_path / "credentials.ini"
    ini.write_text(
        f"""[default]
type = access_key
access_key_id = {emulator.access_key_id}
access_key_secret = {emulator.access_key_secret}

[role]
type = ram_role_arn
access_key_id = {emulator.access_key_id}
access_key_secret = {emulator.access_key_secret}
role_arn = {ROLE_ARN}
role_session_name = py-ini
"""
    )
    roundtrip(emulator.client(credentials=kmskit.IniProfile(credentials_file=ini)), alias)
    role = kmskit.IniProfile("role", credentials_file=ini, sts_endpoint=emulator.sts_endpoint)
    roundtrip(emulator.client(credentials=role), alias)
    with pytest.raises(kmskit.CredentialsError):
        emulator.client(credentials=kmskit.IniProfile("missing", credentials_file=ini)).encrypt(
            alias, b"x"
        )


# --- default chain -----------------------------------------------------------------------------


def test_default_chain_from_env(emulator: Emulator, alias: str, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", emulator.access_key_id)
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", emulator.access_key_secret)
    roundtrip(emulator.client(credentials=kmskit.DefaultChain()), alias)
    # No credentials at all: the client builds the same chain itself.
    roundtrip(kmskit.Client(endpoint=emulator.endpoint, region=emulator.region), alias)


def test_default_chain_with_ecs_metadata(
    emulator: Emulator, alias: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.delenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED")
    chain = kmskit.DefaultChain(metadata_endpoint=emulator.metadata_endpoint)
    roundtrip(emulator.client(credentials=chain), alias)


def test_default_chain_nothing_configured(
    emulator: Emulator, alias: str, clean_env: pytest.MonkeyPatch
) -> None:
    c = kmskit.Client(endpoint=emulator.endpoint, region=emulator.region)
    with pytest.raises(kmskit.CredentialsError) as e:
        c.encrypt(alias, b"x")
    assert e.value.code == 1203 and e.value.name == "CredentialsNotConfigured"
    assert e.value.kind == "Credentials"


# --- Python callables --------------------------------------------------------------------------


def test_callable_is_cached(emulator: Emulator, alias: str) -> None:
    calls: List[int] = []

    def provide() -> kmskit.AccessKey:
        calls.append(threading.get_ident())
        return emulator.access_key()

    c = emulator.client(credentials=provide)
    roundtrip(c, alias)
    roundtrip(c, alias)
    assert len(calls) == 1
    # Called on a runtime thread, not the caller's.
    assert calls[0] != threading.get_ident()


def test_callable_that_uses_kmskit(emulator: Emulator, alias: str) -> None:
    # A callable may itself use kmskit (here: a client that reads a secret).
    reader = emulator.client()
    name = unique("py-cred-secret")
    reader.call("CreateSecret", {"SecretName": name, "SecretData": emulator.access_key_secret})

    def from_secret() -> kmskit.AccessKey:
        return kmskit.AccessKey(emulator.access_key_id, reader.get_secret_value(name).secret_data)

    roundtrip(emulator.client(credentials=from_secret), alias)
    # And as the source of a role.
    chained = kmskit.RamRoleArn(from_secret, ROLE_ARN, sts_endpoint=emulator.sts_endpoint)
    roundtrip(emulator.client(credentials=chained), alias)


def test_callable_with_expiration(emulator: Emulator, alias: str) -> None:
    calls: List[float] = []
    stamp = time.time()

    def provide() -> kmskit.StsToken:
        calls.append(time.time())
        return kmskit.StsToken(
            emulator.access_key_id,
            emulator.access_key_secret,
            "token",
            expiration=stamp + 3600,
        )

    # The emulator verifies only the AccessKey pair; the token travels as SecurityToken.
    c = emulator.client(credentials=provide)
    roundtrip(c, alias)
    roundtrip(c, alias)
    # Valid for an hour: kept, not asked for again.
    assert len(calls) == 1


def test_raising_callable(emulator: Emulator, alias: str) -> None:
    def broken() -> kmskit.AccessKey:
        raise ValueError("vault unreachable")

    with pytest.raises(kmskit.CredentialsError) as e:
        emulator.client(credentials=broken).encrypt(alias, b"x")
    err = e.value
    assert err.code == 1201 and err.name == "CredentialsUnavailable"
    assert "ValueError" in err.message and "vault unreachable" in err.message

    def wrong_type() -> Any:
        return (emulator.access_key_id, emulator.access_key_secret)

    with pytest.raises(kmskit.CredentialsError) as e2:
        emulator.client(credentials=wrong_type).encrypt(alias, b"x")
    assert "tuple" in e2.value.message
    assert emulator.access_key_secret not in str(e2.value)


def test_callable_with_refused_credentials(emulator: Emulator, alias: str) -> None:
    def unknown() -> kmskit.AccessKey:
        return kmskit.AccessKey("LTAIunknownToTheEmulator", "whatever-secret")

    with pytest.raises(kmskit.AuthenticationError):
        emulator.client(credentials=unknown).encrypt(alias, b"x")


def test_async_callable(emulator: Emulator, alias: str) -> None:
    seen: List[Tuple[int, bool]] = []

    async def provide() -> kmskit.AccessKey:
        await asyncio.sleep(0)
        seen.append((threading.get_ident(), asyncio.get_running_loop() is not None))
        return emulator.access_key()

    async def main() -> bytes:
        c = emulator.async_client(credentials=provide)
        blob = (await c.encrypt(alias, b"async creds")).ciphertext_blob
        return (await c.decrypt(blob)).plaintext

    assert asyncio.run(main()) == b"async creds"
    # Awaited on the event loop of the call (this thread runs it).
    assert seen == [(threading.get_ident(), True)]


def test_sync_callable_with_async_client(emulator: Emulator, alias: str) -> None:
    def provide() -> kmskit.AccessKey:
        return emulator.access_key()

    async def main() -> str:
        c = emulator.async_client(credentials=provide)
        return (await c.encrypt(alias, b"x")).key_id

    assert asyncio.run(main())


def test_raising_async_callable(emulator: Emulator, alias: str) -> None:
    async def broken() -> kmskit.AccessKey:
        raise PermissionError("token expired")

    async def main() -> None:
        await emulator.async_client(credentials=broken).encrypt(alias, b"x")

    with pytest.raises(kmskit.CredentialsError) as e:
        asyncio.run(main())
    assert "PermissionError" in e.value.message and "token expired" in e.value.message


def test_async_callable_needs_async_client(emulator: Emulator, alias: str) -> None:
    async def provide() -> kmskit.AccessKey:
        return emulator.access_key()

    with pytest.raises(TypeError):
        emulator.client(credentials=provide)
    # Hidden inside a role, it is found when called: a clear error, not a hang.
    role = kmskit.RamRoleArn(provide, ROLE_ARN, sts_endpoint=emulator.sts_endpoint)
    with pytest.raises(kmskit.CredentialsError) as e:
        emulator.client(credentials=role).encrypt(alias, b"x")
    assert "AsyncClient" in e.value.message


# --- fork --------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_providers_after_fork(emulator: Emulator, alias: str) -> None:
    role = kmskit.RamRoleArn(emulator.access_key(), ROLE_ARN, sts_endpoint=emulator.sts_endpoint)
    c = emulator.client(credentials=role)
    blob = c.encrypt(alias, b"forked role").ciphertext_blob  # the provider's pool is live
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_fd)
            ok = c.decrypt(blob).plaintext == b"forked role"
            os.write(write_fd, b"ok" if ok else b"mismatch")
            code = 0 if ok else 1
        except BaseException as e:
            os.write(write_fd, repr(e).encode()[:500])
        finally:
            os._exit(code)
    os.close(write_fd)
    status = wait_child(pid)
    with os.fdopen(read_fd, "rb") as f:
        message = f.read()
    assert status == 0, message
    assert c.decrypt(blob).plaintext == b"forked role"
