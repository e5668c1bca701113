//! Secrets Manager lifecycle: versions, stages, deletion windows, rotation, batch reads.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::start;
use serde_json::json;

#[tokio::test]
async fn secret_lifecycle_with_stages() {
    let (_emu, kms) = start().await;
    let data = "user=admin&pass=p+w%d é 中文\n{\"k\":\"v\"}";
    let c = kms
        .ok(
            "CreateSecret",
            &[
                ("SecretName", "db/main"),
                ("SecretData", data),
                ("VersionId", "v1"),
                ("Description", "d"),
                ("ExtendedConfig", r#"{"CustomData":{"a":"b"}}"#),
            ],
        )
        .await;
    assert_eq!(
        (
            c["SecretName"].as_str(),
            c["VersionId"].as_str(),
            c["SecretType"].as_str()
        ),
        (Some("db/main"), Some("v1"), Some("Generic"))
    );
    assert!(c["Arn"].as_str().unwrap().ends_with(":secret/db/main"));
    assert_eq!(
        kms.err(
            "CreateSecret",
            &[
                ("SecretName", "db/main"),
                ("SecretData", "x"),
                ("VersionId", "v1")
            ]
        )
        .await,
        (409, "Rejected.ResourceExist".into())
    );

    let g = kms.ok("GetSecretValue", &[("SecretName", "db/main")]).await;
    assert_eq!(g["SecretData"], data);
    assert_eq!(g["SecretDataType"], "text");
    assert_eq!(g["VersionId"], "v1");
    assert_eq!(g["VersionStages"], json!({"VersionStage": ["ACSCurrent"]}));
    assert_eq!(g["AutomaticRotation"], "Disabled");
    assert!(g["CreateTime"].is_string());
    assert!(g.get("ExtendedConfig").is_none());
    let g = kms
        .ok(
            "GetSecretValue",
            &[("SecretName", "db/main"), ("FetchExtendedConfig", "True")],
        )
        .await;
    assert_eq!(g["ExtendedConfig"], r#"{"CustomData":{"a":"b"}}"#);

    let p = kms
        .ok(
            "PutSecretValue",
            &[
                ("SecretName", "db/main"),
                ("SecretData", "two"),
                ("VersionId", "v2"),
            ],
        )
        .await;
    assert_eq!(p["VersionStages"], json!({"VersionStage": ["ACSCurrent"]}));
    assert_eq!(
        kms.ok("GetSecretValue", &[("SecretName", "db/main")]).await["SecretData"],
        "two"
    );
    let prev = kms
        .ok(
            "GetSecretValue",
            &[("SecretName", "db/main"), ("VersionStage", "ACSPrevious")],
        )
        .await;
    assert_eq!(
        (prev["SecretData"].as_str(), prev["VersionId"].as_str()),
        (Some(data), Some("v1"))
    );
    assert_eq!(
        kms.err(
            "PutSecretValue",
            &[
                ("SecretName", "db/main"),
                ("SecretData", "dup"),
                ("VersionId", "v2")
            ]
        )
        .await
        .1,
        "Rejected.ResourceExist"
    );

    // A custom stage does not move ACSCurrent.
    kms.ok(
        "PutSecretValue",
        &[
            ("SecretName", "db/main"),
            ("SecretData", "three"),
            ("VersionId", "v3"),
            ("VersionStages", r#"["test"]"#),
        ],
    )
    .await;
    assert_eq!(
        kms.ok("GetSecretValue", &[("SecretName", "db/main")]).await["VersionId"],
        "v2"
    );
    assert_eq!(
        kms.ok(
            "GetSecretValue",
            &[("SecretName", "db/main"), ("VersionStage", "test")]
        )
        .await["SecretData"],
        "three"
    );
    assert_eq!(
        kms.ok(
            "GetSecretValue",
            &[("SecretName", "db/main"), ("VersionId", "v1")]
        )
        .await["SecretData"],
        data
    );
    assert_eq!(
        kms.err(
            "GetSecretValue",
            &[
                ("SecretName", "db/main"),
                ("VersionId", "v1"),
                ("VersionStage", "ACSCurrent")
            ]
        )
        .await
        .1,
        "Forbidden.ResourceNotFound"
    );

    kms.ok(
        "UpdateSecretVersionStage",
        &[
            ("SecretName", "db/main"),
            ("VersionStage", "ACSCurrent"),
            ("RemoveFromVersion", "v2"),
            ("MoveToVersion", "v3"),
        ],
    )
    .await;
    let g = kms.ok("GetSecretValue", &[("SecretName", "db/main")]).await;
    assert_eq!(g["VersionId"], "v3");
    let mut stages: Vec<String> =
        serde_json::from_value(g["VersionStages"]["VersionStage"].clone()).unwrap();
    stages.sort();
    assert_eq!(stages, ["ACSCurrent", "test"]);
    kms.ok(
        "UpdateSecretVersionStage",
        &[
            ("SecretName", "db/main"),
            ("VersionStage", "test"),
            ("RemoveFromVersion", "v3"),
        ],
    )
    .await;
    assert_eq!(
        kms.err(
            "UpdateSecretVersionStage",
            &[
                ("SecretName", "db/main"),
                ("VersionStage", "ACSCurrent"),
                ("RemoveFromVersion", "v3")
            ]
        )
        .await
        .1,
        "InvalidParameter"
    );

    let ids = kms
        .ok("ListSecretVersionIds", &[("SecretName", "db/main")])
        .await;
    assert_eq!(ids["TotalCount"], 2); // v1 (deprecated) is hidden
    let ids = kms
        .ok(
            "ListSecretVersionIds",
            &[("SecretName", "db/main"), ("IncludeDeprecated", "true")],
        )
        .await;
    assert_eq!(ids["TotalCount"], 3);
    assert_eq!(ids["VersionIds"]["VersionId"][0]["VersionId"], "v1");

    kms.ok(
        "UpdateSecret",
        &[("SecretName", "db/main"), ("Description", "new")],
    )
    .await;
    let d = kms.ok("DescribeSecret", &[("SecretName", "db/main")]).await;
    assert_eq!(
        (d["Description"].as_str(), d["SecretType"].as_str()),
        (Some("new"), Some("Generic"))
    );

    let r = kms
        .ok(
            "RotateSecret",
            &[("SecretName", "db/main"), ("VersionId", "v4")],
        )
        .await;
    assert_eq!(r["VersionId"], "v4");
    let g = kms.ok("GetSecretValue", &[("SecretName", "db/main")]).await;
    assert_eq!(
        (g["VersionId"].as_str(), g["SecretData"].as_str()),
        (Some("v4"), Some("three"))
    );
}

#[tokio::test]
async fn deletion_restore_and_force() {
    let (_emu, kms) = start().await;
    kms.ok(
        "CreateSecret",
        &[
            ("SecretName", "s"),
            ("SecretData", "x"),
            ("VersionId", "v1"),
        ],
    )
    .await;
    assert_eq!(
        kms.err(
            "DeleteSecret",
            &[("SecretName", "s"), ("RecoveryWindowInDays", "3")]
        )
        .await
        .1,
        "InvalidParameter"
    );
    let d = kms.ok("DeleteSecret", &[("SecretName", "s")]).await;
    assert!(d["PlannedDeleteTime"].is_string());
    assert_eq!(
        kms.err("GetSecretValue", &[("SecretName", "s")]).await,
        (409, "Rejected.ResourceInDeleteWindow".into())
    );
    assert_eq!(
        kms.err("DeleteSecret", &[("SecretName", "s")]).await.1,
        "Rejected.ResourceInDeleteWindow"
    );
    assert!(
        kms.ok("DescribeSecret", &[("SecretName", "s")]).await["PlannedDeleteTime"].is_string()
    );
    kms.ok("RestoreSecret", &[("SecretName", "s")]).await;
    assert_eq!(
        kms.ok("GetSecretValue", &[("SecretName", "s")]).await["SecretData"],
        "x"
    );
    kms.ok(
        "DeleteSecret",
        &[("SecretName", "s"), ("ForceDeleteWithoutRecovery", "true")],
    )
    .await;
    assert_eq!(
        kms.err("GetSecretValue", &[("SecretName", "s")]).await,
        (404, "Forbidden.ResourceNotFound".into())
    );
    // The name is free again.
    kms.ok(
        "CreateSecret",
        &[
            ("SecretName", "s"),
            ("SecretData", "y"),
            ("VersionId", "v1"),
        ],
    )
    .await;
}

#[tokio::test]
async fn binary_custom_key_batch_list_and_password() {
    let (_emu, kms) = start().await;
    let key = kms.new_key("Aliyun_AES_256", None).await;
    kms.ok(
        "CreateAlias",
        &[("AliasName", "alias/secrets"), ("KeyId", &key)],
    )
    .await;
    assert_eq!(
        kms.err(
            "CreateSecret",
            &[
                ("SecretName", "bin"),
                ("SecretData", "not base64!"),
                ("SecretDataType", "binary")
            ]
        )
        .await
        .1,
        "InvalidParameter"
    );
    kms.ok(
        "CreateSecret",
        &[
            ("SecretName", "bin"),
            ("SecretData", "AAEC/w=="),
            ("SecretDataType", "binary"),
            ("VersionId", "v1"),
            ("EncryptionKeyId", "alias/secrets"),
        ],
    )
    .await;
    let g = kms.ok("GetSecretValue", &[("SecretName", "bin")]).await;
    assert_eq!(
        (g["SecretData"].as_str(), g["SecretDataType"].as_str()),
        (Some("AAEC/w=="), Some("binary"))
    );
    assert_eq!(
        kms.ok("DescribeSecret", &[("SecretName", "bin")]).await["EncryptionKeyId"],
        key.as_str()
    );
    // The value is encrypted under that key: disabling it blocks reads.
    kms.ok("DisableKey", &[("KeyId", &key)]).await;
    assert_eq!(
        kms.err("GetSecretValue", &[("SecretName", "bin")]).await.1,
        "Rejected.Disabled"
    );
    kms.ok("EnableKey", &[("KeyId", &key)]).await;

    for i in 0..4 {
        kms.ok(
            "CreateSecret",
            &[
                ("SecretName", &format!("app-{i}")),
                ("SecretData", &format!("d{i}")),
                ("VersionId", "v1"),
            ],
        )
        .await;
    }
    let list = r#"[{"SecretName":"app-0"},{"SecretName":"app-1","VersionStage":"ACSCurrent"},{"SecretName":"missing"}]"#;
    let b = kms
        .ok("BatchGetSecretValue", &[("SecretsList", list)])
        .await;
    assert_eq!(b["SecretValues"].as_array().unwrap().len(), 2);
    assert_eq!(b["SecretValues"][1]["SecretData"], "d1");
    assert_eq!(b["Errors"][0]["SecretName"], "missing");
    assert_eq!(b["Errors"][0]["Code"], "Forbidden.ResourceNotFound");
    assert_eq!(b["Errors"][0]["HttpStatus"], 404);

    let l = kms
        .ok("ListSecrets", &[("PageSize", "2"), ("PageNumber", "2")])
        .await;
    assert_eq!(l["TotalCount"], 5);
    assert_eq!(l["SecretList"]["Secret"].as_array().unwrap().len(), 2);
    assert_eq!(l["SecretList"]["Secret"][0]["SecretName"], "app-1");
    let f = kms
        .ok(
            "ListSecrets",
            &[("Filters", r#"[{"Key":"SecretName","Values":["app-3"]}]"#)],
        )
        .await;
    assert_eq!(f["TotalCount"], 1);

    let pw = kms
        .ok(
            "GetRandomPassword",
            &[("PasswordLength", "20"), ("ExcludePunctuation", "true")],
        )
        .await;
    let pw = pw["RandomPassword"].as_str().unwrap();
    assert_eq!(pw.len(), 20);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        kms.err("GetRandomPassword", &[("PasswordLength", "4")])
            .await
            .1,
        "InvalidParameter"
    );
}
