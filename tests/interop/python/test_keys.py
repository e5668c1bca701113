"""Key lifecycle through the official Python SDK against the kmskit emulator."""
import uuid

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException

from conftest import call, kms_error

SPECS = [
    ("Aliyun_AES_256", "ENCRYPT/DECRYPT"),
    ("Aliyun_SM4", "ENCRYPT/DECRYPT"),
    ("RSA_2048", "SIGN/VERIFY"),
    ("RSA_3072", "ENCRYPT/DECRYPT"),
    ("EC_P256", "SIGN/VERIFY"),
    ("EC_P256K", "SIGN/VERIFY"),
    ("EC_SM2", "SIGN/VERIFY"),
]


def new_key(client, spec="Aliyun_AES_256", usage="ENCRYPT/DECRYPT", **extra):
    body = call(client, "CreateKey", KeySpec=spec, KeyUsage=usage, **extra)
    return body["KeyMetadata"]


def assert_client_error(err, *, codes=None):
    assert isinstance(err, ClientException), f"expected ClientException, got {type(err).__name__}: {err}"
    assert 400 <= err.status_code < 500, err.status_code
    assert err.code and err.code != "None", f"error without a service code: {err}"
    assert err.request_id, f"error without RequestId: {err}"
    if codes is not None:
        assert err.code in codes, f"code {err.code!r} not in {codes}: {err.message}"
    return err


@pytest.mark.parametrize("spec,usage", SPECS)
def test_create_and_describe_each_key_spec(client, spec, usage):
    md = new_key(client, spec, usage, Description=f"interop {spec} é",
                 EnableAutomaticRotation=False)
    assert md["KeyId"], md
    assert md["KeySpec"] == spec
    assert md["KeyUsage"] == usage
    assert md["KeyState"] == "Enabled"
    assert md["KeyId"] in md.get("Arn", ""), md
    assert md.get("PrimaryKeyVersion"), f"CreateKey returned no PrimaryKeyVersion: {md}"
    got = call(client, "DescribeKey", KeyId=md["KeyId"])["KeyMetadata"]
    for f in ("KeyId", "KeySpec", "KeyUsage", "KeyState", "Arn", "PrimaryKeyVersion"):
        assert got[f] == md[f], (f, got, md)
    assert got["Description"] == f"interop {spec} é"


def test_create_key_rejects_unknown_spec(client):
    err = kms_error(client, "CreateKey", KeySpec="NOT_A_SPEC", KeyUsage="ENCRYPT/DECRYPT")
    assert_client_error(err)


def test_list_keys_paging(client):
    mine = {new_key(client)["KeyId"] for _ in range(3)}
    seen, page = [], 1
    total = None
    while True:
        body = call(client, "ListKeys", PageNumber=page, PageSize=2)
        assert body["PageNumber"] == page and body["PageSize"] == 2, body
        total = body["TotalCount"] if total is None else total
        assert body["TotalCount"] == total, "TotalCount changed between pages"
        keys = body.get("Keys", {}).get("Key", [])
        assert len(keys) <= 2, keys
        for k in keys:
            assert k["KeyId"] and k["KeyArn"].endswith(k["KeyId"]), k
        seen += [k["KeyId"] for k in keys]
        if not keys or page * 2 >= total:
            break
        page += 1
        assert page < 100, "paging does not terminate"
    assert len(seen) == len(set(seen)) == total, (len(seen), len(set(seen)), total)
    assert mine <= set(seen), mine - set(seen)


def test_disable_refuses_encrypt_and_enable_restores(client):
    kid = new_key(client)["KeyId"]
    call(client, "DisableKey", KeyId=kid)
    assert call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]["KeyState"] == "Disabled"
    err = kms_error(client, "Encrypt", KeyId=kid, Plaintext="aGk=")
    assert_client_error(err)
    call(client, "EnableKey", KeyId=kid)
    assert call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]["KeyState"] == "Enabled"
    assert call(client, "Encrypt", KeyId=kid, Plaintext="aGk=")["CiphertextBlob"]


def test_schedule_and_cancel_key_deletion(client):
    kid = new_key(client)["KeyId"]
    call(client, "ScheduleKeyDeletion", KeyId=kid, PendingWindowInDays=7)
    md = call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion", md
    assert md.get("DeleteDate"), f"no DeleteDate while PendingDeletion: {md}"
    assert_client_error(kms_error(client, "Encrypt", KeyId=kid, Plaintext="aGk="))
    call(client, "CancelKeyDeletion", KeyId=kid)
    assert call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]["KeyState"] == "Enabled"
    assert call(client, "Encrypt", KeyId=kid, Plaintext="aGk=")["CiphertextBlob"]


def test_unknown_key_is_not_found(client):
    err = kms_error(client, "DescribeKey", KeyId="key-doesnotexist0000000000")
    assert_client_error(err)
    assert err.status_code == 404, err.status_code


def test_create_key_version_becomes_primary(client):
    md = new_key(client)
    kid, v1 = md["KeyId"], md["PrimaryKeyVersion"]
    v2 = call(client, "CreateKeyVersion", KeyId=kid)["KeyVersion"]["KeyVersionId"]
    assert v2 and v2 != v1
    versions = call(client, "ListKeyVersions", KeyId=kid)
    ids = [v["KeyVersionId"] for v in versions["KeyVersions"]["KeyVersion"]]
    assert sorted(ids) == sorted([v1, v2]), ids
    assert versions["TotalCount"] == 2
    assert call(client, "DescribeKey", KeyId=kid)["KeyMetadata"]["PrimaryKeyVersion"] == v2
    assert call(client, "Encrypt", KeyId=kid, Plaintext="aGk=")["KeyVersionId"] == v2


def test_aliases(client):
    k1, k2 = new_key(client)["KeyId"], new_key(client)["KeyId"]
    alias = f"alias/interop/{uuid.uuid4().hex[:8]}:app_name-1"
    call(client, "CreateAlias", AliasName=alias, KeyId=k1)
    enc = call(client, "Encrypt", KeyId=alias, Plaintext="aGVsbG8=")
    assert enc["KeyId"] == k1
    names = {}
    page = 1
    while True:
        body = call(client, "ListAliases", PageNumber=page, PageSize=50)
        items = body.get("Aliases", {}).get("Alias", [])
        names.update({a["AliasName"]: a["KeyId"] for a in items})
        if not items or page * 50 >= body["TotalCount"]:
            break
        page += 1
    assert names.get(alias) == k1, names
    assert_client_error(kms_error(client, "CreateAlias", AliasName=alias, KeyId=k2))
    call(client, "UpdateAlias", AliasName=alias, KeyId=k2)
    assert call(client, "Encrypt", KeyId=alias, Plaintext="aGVsbG8=")["KeyId"] == k2
    # the ciphertext made through the old alias target still decrypts (blob names its key)
    assert call(client, "Decrypt", CiphertextBlob=enc["CiphertextBlob"])["KeyId"] == k1
    call(client, "DeleteAlias", AliasName=alias)
    err = assert_client_error(kms_error(client, "Encrypt", KeyId=alias, Plaintext="aGVsbG8="))
    assert err.status_code == 404, err.status_code


def test_key_reachable_by_alias_and_arn(client):
    md = new_key(client)
    alias = f"alias/byref-{uuid.uuid4().hex[:8]}"
    call(client, "CreateAlias", AliasName=alias, KeyId=md["KeyId"])
    assert call(client, "DescribeKey", KeyId=alias)["KeyMetadata"]["KeyId"] == md["KeyId"]
    assert call(client, "Encrypt", KeyId=md["Arn"], Plaintext="eA==")["KeyId"] == md["KeyId"]


def test_tags(client):
    kid = new_key(client)["KeyId"]
    tags = '[{"TagKey":"env","TagValue":"a b&c=d+e%"},{"TagKey":"team","TagValue":"kms é"}]'
    call(client, "TagResource", KeyId=kid, Tags=tags)
    got = call(client, "ListResourceTags", KeyId=kid)["Tags"]["Tag"]
    assert {t["TagKey"]: t["TagValue"] for t in got} == {"env": "a b&c=d+e%", "team": "kms é"}, got
    listed = call(client, "ListTagResources", ResourceType="key", ResourceId=[kid])
    pairs = {(t["ResourceId"], t["TagKey"], t["TagValue"]) for t in listed["TagResources"]["TagResource"]}
    assert (kid, "env", "a b&c=d+e%") in pairs and (kid, "team", "kms é") in pairs, pairs
    call(client, "UntagResource", KeyId=kid, TagKeys='["env"]')
    got = call(client, "ListResourceTags", KeyId=kid)["Tags"]["Tag"]
    assert [t["TagKey"] for t in got] == ["team"], got
