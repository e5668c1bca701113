//! Key lifecycle, versions, aliases, tags and paging over a real socket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::start;

#[tokio::test]
async fn key_lifecycle() {
    let (_emu, kms) = start().await;
    let created = kms
        .ok(
            "CreateKey",
            &[
                ("Description", "first"),
                ("Tags", r#"[{"TagKey":"env","TagValue":"dev"}]"#),
            ],
        )
        .await;
    let md = &created["KeyMetadata"];
    let id = md["KeyId"].as_str().unwrap().to_owned();
    assert_eq!(md["KeySpec"], "Aliyun_AES_256");
    assert_eq!(md["KeyUsage"], "ENCRYPT/DECRYPT");
    assert_eq!(md["KeyState"], "Enabled");
    assert_eq!(md["Origin"], "Aliyun_KMS");
    assert_eq!(md["ProtectionLevel"], "SOFTWARE");
    assert!(md["Arn"].as_str().unwrap().ends_with(&format!(":key/{id}")));
    assert!(md["PrimaryKeyVersion"].is_string());

    let d = kms.ok("DescribeKey", &[("KeyId", &id)]).await;
    assert_eq!(d["KeyMetadata"]["Description"], "first");
    kms.ok(
        "UpdateKeyDescription",
        &[("KeyId", &id), ("Description", "second")],
    )
    .await;
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"]["Description"],
        "second"
    );

    kms.ok("DisableKey", &[("KeyId", &id)]).await;
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"]["KeyState"],
        "Disabled"
    );
    assert_eq!(
        kms.err("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
            .await,
        (409, "Rejected.Disabled".into())
    );
    kms.ok("EnableKey", &[("KeyId", &id)]).await;
    kms.ok("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
        .await;

    assert_eq!(
        kms.err(
            "ScheduleKeyDeletion",
            &[("KeyId", &id), ("PendingWindowInDays", "3")]
        )
        .await
        .1,
        "InvalidParameter"
    );
    assert_eq!(
        kms.err("ScheduleKeyDeletion", &[("KeyId", &id)]).await.1,
        "MissingParameter"
    );
    kms.ok(
        "ScheduleKeyDeletion",
        &[("KeyId", &id), ("PendingWindowInDays", "7")],
    )
    .await;
    let md = kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"].clone();
    assert_eq!(md["KeyState"], "PendingDeletion");
    assert!(md["DeleteDate"].is_string());
    assert_eq!(
        kms.err("Encrypt", &[("KeyId", &id), ("Plaintext", "aGk=")])
            .await,
        (409, "Rejected.PendingDeletion".into())
    );
    assert_eq!(
        kms.err("EnableKey", &[("KeyId", &id)]).await.1,
        "Rejected.PendingDeletion"
    );
    kms.ok("CancelKeyDeletion", &[("KeyId", &id)]).await;
    assert_eq!(
        kms.err("CancelKeyDeletion", &[("KeyId", &id)]).await,
        (409, "Rejected.UnexpectedState".into())
    );
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"]["KeyState"],
        "Enabled"
    );

    assert_eq!(
        kms.err("DescribeKey", &[("KeyId", "key-missing")]).await,
        (404, "Forbidden.KeyNotFound".into())
    );
    assert_eq!(
        kms.err("DescribeKey", &[]).await,
        (400, "MissingParameter".into())
    );
    assert_eq!(
        kms.err(
            "CreateKey",
            &[("KeySpec", "EC_P256"), ("KeyUsage", "ENCRYPT/DECRYPT")]
        )
        .await
        .1,
        "InvalidParameter"
    );
}

#[tokio::test]
async fn versions_and_rotation_policy() {
    let (_emu, kms) = start().await;
    let id = kms.new_key("Aliyun_SM4", None).await;
    let v1 = kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"]["PrimaryKeyVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let v2 = kms.ok("CreateKeyVersion", &[("KeyId", &id)]).await["KeyVersion"]["KeyVersionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(v1, v2);
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"]["PrimaryKeyVersion"],
        v2.as_str()
    );
    let list = kms.ok("ListKeyVersions", &[("KeyId", &id)]).await;
    assert_eq!(list["TotalCount"], 2);
    assert_eq!(
        list["KeyVersions"]["KeyVersion"][0]["KeyVersionId"],
        v1.as_str()
    );
    let d = kms
        .ok(
            "DescribeKeyVersion",
            &[("KeyId", &id), ("KeyVersionId", &v1)],
        )
        .await;
    assert_eq!(d["KeyVersion"]["KeyId"], id.as_str());
    assert_eq!(
        kms.err(
            "DescribeKeyVersion",
            &[("KeyId", &id), ("KeyVersionId", "nope")]
        )
        .await
        .1,
        "Forbidden.ResourceNotFound"
    );

    kms.ok(
        "UpdateRotationPolicy",
        &[
            ("KeyId", &id),
            ("EnableAutomaticRotation", "True"),
            ("RotationInterval", "30d"),
        ],
    )
    .await;
    let md = kms.ok("DescribeKey", &[("KeyId", &id)]).await["KeyMetadata"].clone();
    assert_eq!(md["AutomaticRotation"], "Enabled");
    assert_eq!(md["RotationInterval"], "2592000s");
    assert_eq!(
        kms.err(
            "UpdateRotationPolicy",
            &[
                ("KeyId", &id),
                ("EnableAutomaticRotation", "true"),
                ("RotationInterval", "1d")
            ]
        )
        .await
        .1,
        "InvalidParameter"
    );
}

#[tokio::test]
async fn aliases_work_wherever_key_ids_do() {
    let (_emu, kms) = start().await;
    let k1 = kms.new_key("Aliyun_AES_256", None).await;
    let k2 = kms.new_key("Aliyun_AES_256", None).await;
    assert_eq!(
        kms.err("CreateAlias", &[("AliasName", "noprefix"), ("KeyId", &k1)])
            .await
            .1,
        "InvalidParameter"
    );
    kms.ok("CreateAlias", &[("AliasName", "alias/app"), ("KeyId", &k1)])
        .await;
    assert_eq!(
        kms.err("CreateAlias", &[("AliasName", "alias/app"), ("KeyId", &k2)])
            .await,
        (400, "AliasAlreadyExists".into())
    );
    let enc = kms
        .ok("Encrypt", &[("KeyId", "alias/app"), ("Plaintext", "aGk=")])
        .await;
    assert_eq!(enc["KeyId"], k1.as_str());
    let arn = format!(
        "acs:kms:cn-hangzhou:{}:alias/app",
        kmskit_emulator::ACCOUNT_ID
    );
    assert_eq!(
        kms.ok("DescribeKey", &[("KeyId", &arn)]).await["KeyMetadata"]["KeyId"],
        k1.as_str()
    );
    kms.ok("UpdateAlias", &[("AliasName", "alias/app"), ("KeyId", &k2)])
        .await;
    assert_eq!(
        kms.ok("Encrypt", &[("KeyId", "alias/app"), ("Plaintext", "aGk=")])
            .await["KeyId"],
        k2.as_str()
    );
    // A blob names its key, so the old one still decrypts.
    let blob = enc["CiphertextBlob"].as_str().unwrap();
    assert_eq!(
        kms.ok("Decrypt", &[("CiphertextBlob", blob)]).await["Plaintext"],
        "aGk="
    );

    kms.ok(
        "CreateAlias",
        &[("AliasName", "alias/other"), ("KeyId", &k2)],
    )
    .await;
    let all = kms.ok("ListAliases", &[]).await;
    assert_eq!(all["TotalCount"], 2);
    assert!(all["Aliases"]["Alias"][0]["AliasArn"]
        .as_str()
        .unwrap()
        .ends_with(":alias/app"));
    let by_key = kms.ok("ListAliasesByKeyId", &[("KeyId", &k1)]).await;
    assert_eq!(by_key["TotalCount"], 0);
    kms.ok("DeleteAlias", &[("AliasName", "alias/app")]).await;
    assert_eq!(
        kms.err("Encrypt", &[("KeyId", "alias/app"), ("Plaintext", "aGk=")])
            .await,
        (404, "Forbidden.AliasNotFound".into())
    );
    assert_eq!(
        kms.err("DeleteAlias", &[("AliasName", "alias/app")])
            .await
            .1,
        "Forbidden.AliasNotFound"
    );
}

#[tokio::test]
async fn paging_and_filters() {
    let (_emu, kms) = start().await;
    let mut ids = Vec::new();
    for _ in 0..7 {
        ids.push(kms.new_key("Aliyun_AES_256", None).await);
    }
    kms.ok("DisableKey", &[("KeyId", &ids[0])]).await;
    let p1 = kms
        .ok("ListKeys", &[("PageNumber", "1"), ("PageSize", "3")])
        .await;
    assert_eq!(
        (
            p1["TotalCount"].as_u64(),
            p1["PageNumber"].as_u64(),
            p1["PageSize"].as_u64()
        ),
        (Some(7), Some(1), Some(3))
    );
    assert_eq!(p1["Keys"]["Key"].as_array().unwrap().len(), 3);
    assert_eq!(p1["Keys"]["Key"][0]["KeyId"], ids[0].as_str());
    assert!(p1["Keys"]["Key"][0]["KeyArn"].is_string());
    let p3 = kms
        .ok("ListKeys", &[("PageNumber", "3"), ("PageSize", "3")])
        .await;
    assert_eq!(p3["Keys"]["Key"].as_array().unwrap().len(), 1);
    assert_eq!(p3["Keys"]["Key"][0]["KeyId"], ids[6].as_str());
    let p9 = kms
        .ok("ListKeys", &[("PageNumber", "9"), ("PageSize", "3")])
        .await;
    assert!(p9["Keys"]["Key"].as_array().unwrap().is_empty());
    let disabled = kms
        .ok(
            "ListKeys",
            &[("Filters", r#"[{"Key":"KeyState","Values":["Disabled"]}]"#)],
        )
        .await;
    assert_eq!(disabled["TotalCount"], 1);
    assert_eq!(
        kms.err("ListKeys", &[("PageSize", "101")]).await.1,
        "InvalidParameter"
    );
}

#[tokio::test]
async fn tags_on_keys_and_secrets() {
    let (_emu, kms) = start().await;
    let id = kms.new_key("Aliyun_AES_256", None).await;
    kms.ok(
        "TagResource",
        &[
            ("KeyId", &id),
            (
                "Tags",
                r#"[{"TagKey":"a","TagValue":"1"},{"TagKey":"b","TagValue":"2"}]"#,
            ),
        ],
    )
    .await;
    let t = kms.ok("ListTagResources", &[("KeyId", &id)]).await;
    assert_eq!(
        t["TagResources"]["TagResource"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        t["TagResources"]["TagResource"][0]["ResourceId"],
        id.as_str()
    );
    kms.ok("UntagResource", &[("KeyId", &id), ("TagKeys", r#"["a"]"#)])
        .await;
    let t = kms.ok("ListResourceTags", &[("KeyId", &id)]).await;
    assert_eq!(t["Tags"]["Tag"].as_array().unwrap().len(), 1);
    assert_eq!(t["Tags"]["Tag"][0]["TagKey"], "b");
    let t = kms
        .ok(
            "ListTagResources",
            &[("ResourceType", "key"), ("ResourceId.1", &id)],
        )
        .await;
    assert_eq!(t["TagResources"]["TagResource"][0]["TagValue"], "2");

    kms.ok(
        "CreateSecret",
        &[
            ("SecretName", "s1"),
            ("SecretData", "x"),
            ("VersionId", "v1"),
        ],
    )
    .await;
    kms.ok(
        "TagResource",
        &[
            ("SecretName", "s1"),
            ("Tags", r#"[{"TagKey":"team","TagValue":"red"}]"#),
        ],
    )
    .await;
    let d = kms
        .ok(
            "DescribeSecret",
            &[("SecretName", "s1"), ("FetchTags", "true")],
        )
        .await;
    assert_eq!(d["Tags"]["Tag"][0]["TagKey"], "team");
    assert_eq!(
        kms.err(
            "TagResource",
            &[
                ("SecretName", "nope"),
                ("Tags", r#"[{"TagKey":"a","TagValue":"b"}]"#)
            ]
        )
        .await
        .1,
        "Forbidden.ResourceNotFound"
    );
    assert_eq!(
        kms.err("TagResource", &[("KeyId", &id), ("Tags", "not json")])
            .await
            .1,
        "InvalidParameter"
    );
}
