"""Secrets Manager lifecycle through the official Python SDK against the emulator."""
import uuid

import pytest

from conftest import call, kms_error
from test_keys import assert_client_error

DATA_V1 = "user=admin&pass=p+w%d é 中文 🔐\n{\"k\":\"v\"}"
DATA_V2 = "{\"password\":\"a&b=c+d%e\",\"n\":2}"


def secret_name(tag="s"):
    return f"interop/{tag}-{uuid.uuid4().hex[:10]}_a+b=c.d@e-f"


def _get(client, name, **kw):
    return call(client, "GetSecretValue", SecretName=name, **kw)


def _stages(body):
    return set(body.get("VersionStages", {}).get("VersionStage", []))


def _list_all_secret_names(client):
    names, page = [], 1
    while True:
        body = call(client, "ListSecrets", PageNumber=page, PageSize=50)
        items = body.get("SecretList", {}).get("Secret", [])
        names += [s["SecretName"] for s in items]
        if not items or page * 50 >= body["TotalCount"]:
            return names
        page += 1


def test_secret_lifecycle(client):
    name = secret_name()
    created = call(client, "CreateSecret", SecretName=name, SecretData=DATA_V1, VersionId="v1",
                   SecretDataType="text", Description="interop secret é")
    assert created["SecretName"] == name and created["VersionId"] == "v1"
    assert created["Arn"].endswith(name), created

    got = _get(client, name)
    assert got["SecretData"] == DATA_V1 and got["VersionId"] == "v1"
    assert "ACSCurrent" in _stages(got)
    assert got["SecretName"] == name and got["SecretDataType"] == "text"

    put = call(client, "PutSecretValue", SecretName=name, VersionId="v2", SecretData=DATA_V2)
    assert put["VersionId"] == "v2" and put["SecretName"] == name
    cur = _get(client, name)
    assert (cur["SecretData"], cur["VersionId"]) == (DATA_V2, "v2")
    prev = _get(client, name, VersionStage="ACSPrevious")
    assert (prev["SecretData"], prev["VersionId"]) == (DATA_V1, "v1")
    assert "ACSPrevious" in _stages(prev)
    assert _get(client, name, VersionId="v1")["SecretData"] == DATA_V1
    assert _get(client, name, VersionId="v2", VersionStage="ACSCurrent")["SecretData"] == DATA_V2
    assert _get(client, name, FetchExtendedConfig=True)["SecretData"] == DATA_V2
    assert _get(client, name, FetchExtendedConfig=False)["SecretData"] == DATA_V2
    assert_client_error(kms_error(client, "GetSecretValue", SecretName=name, VersionId="v9"))

    # Roll ACSCurrent back to v1.
    call(client, "UpdateSecretVersionStage", SecretName=name, VersionStage="ACSCurrent",
         RemoveFromVersion="v2", MoveToVersion="v1")
    back = _get(client, name)
    assert (back["SecretData"], back["VersionId"]) == (DATA_V1, "v1")

    versions = call(client, "ListSecretVersionIds", SecretName=name)
    by_id = {v["VersionId"]: set(v.get("VersionStages", {}).get("VersionStage", []))
             for v in versions["VersionIds"]["VersionId"]}
    assert set(by_id) == {"v1", "v2"}, by_id
    assert "ACSCurrent" in by_id["v1"] and "ACSCurrent" not in by_id["v2"], by_id

    desc = call(client, "DescribeSecret", SecretName=name)
    assert desc["SecretName"] == name and desc["Arn"] == created["Arn"]
    assert desc["Description"] == "interop secret é"
    assert name in _list_all_secret_names(client)

    # Delete with a recovery window: reads are refused, restore brings it back.
    deleted = call(client, "DeleteSecret", SecretName=name, RecoveryWindowInDays="7")
    assert deleted["SecretName"] == name and deleted.get("PlannedDeleteTime"), deleted
    assert_client_error(kms_error(client, "GetSecretValue", SecretName=name))
    assert call(client, "DescribeSecret", SecretName=name).get("PlannedDeleteTime")
    call(client, "RestoreSecret", SecretName=name)
    assert _get(client, name)["SecretData"] == DATA_V1

    # Force delete: gone for good.
    call(client, "DeleteSecret", SecretName=name, ForceDeleteWithoutRecovery="true")
    err = assert_client_error(kms_error(client, "GetSecretValue", SecretName=name))
    assert err.status_code == 404, err.status_code
    assert_client_error(kms_error(client, "RestoreSecret", SecretName=name))
    assert name not in _list_all_secret_names(client)


def test_create_existing_secret_is_refused(client):
    name = secret_name("dup")
    call(client, "CreateSecret", SecretName=name, SecretData="x", VersionId="v1")
    assert_client_error(kms_error(client, "CreateSecret", SecretName=name, SecretData="y", VersionId="v1"))


def test_secret_encrypted_with_own_key(client):
    kid = call(client, "CreateKey", KeySpec="Aliyun_AES_256", KeyUsage="ENCRYPT/DECRYPT")["KeyMetadata"]["KeyId"]
    name = secret_name("cmk")
    call(client, "CreateSecret", SecretName=name, SecretData="with cmk", VersionId="v1", EncryptionKeyId=kid)
    assert _get(client, name)["SecretData"] == "with cmk"
    assert call(client, "DescribeSecret", SecretName=name).get("EncryptionKeyId") == kid


def test_batch_get_secret_value(client):
    a, b = secret_name("ba"), secret_name("bb")
    call(client, "CreateSecret", SecretName=a, SecretData="alpha & é", VersionId="v1")
    call(client, "CreateSecret", SecretName=b, SecretData="beta = +", VersionId="v1")
    missing = secret_name("missing")
    body = call(client, "BatchGetSecretValue", SecretsList=[
        {"SecretName": a}, {"SecretName": b, "VersionStage": "ACSCurrent"}, {"SecretName": missing}])
    values = {v["SecretName"]: v["SecretData"] for v in body.get("SecretValues", [])}
    assert values == {a: "alpha & é", b: "beta = +"}, values
    errors = {e["SecretName"]: e for e in body.get("Errors", [])}
    assert set(errors) == {missing}, errors
    assert errors[missing]["Code"] and errors[missing]["HttpStatus"] == 404, errors


def test_get_random_password(client):
    pw = call(client, "GetRandomPassword", PasswordLength="40", ExcludePunctuation="true")["RandomPassword"]
    assert len(pw) == 40 and pw.isalnum(), pw


def test_rotate_secret_creates_new_current_version(client):
    name = secret_name("rot")
    call(client, "CreateSecret", SecretName=name, SecretData="before", VersionId="v1")
    rot = call(client, "RotateSecret", SecretName=name, VersionId="v2")
    assert rot["SecretName"] == name and rot["VersionId"] == "v2"
    cur = call(client, "GetSecretValue", SecretName=name)
    assert cur["VersionId"] == "v2"
    assert call(client, "GetSecretValue", SecretName=name, VersionStage="ACSPrevious")["VersionId"] == "v1"


def test_put_secret_value_with_custom_stage_keeps_current(client):
    name = secret_name("stage")
    call(client, "CreateSecret", SecretName=name, SecretData="one", VersionId="v1")
    call(client, "PutSecretValue", SecretName=name, SecretData="two", VersionId="v2", VersionStages='["custom"]')
    assert call(client, "GetSecretValue", SecretName=name)["SecretData"] == "one"
    assert call(client, "GetSecretValue", SecretName=name, VersionStage="custom")["SecretData"] == "two"
