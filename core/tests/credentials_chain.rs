//! The CLI profile file (every mode), the ini file (every type), and the default chain: order,
//! environment names, the all-fail report, and re-walking when the current provider fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod credentials_common;
use credentials_common::*;
use kmskit::credentials::{
    CliProfileOptions, CliProfileProvider, CredentialsProvider, DefaultChain, DefaultChainOptions,
    Env, IniProfileOptions, IniProfileProvider,
};
use kmskit::ErrorCode;
use std::sync::Arc;

/// vectors: cli_ram_role_arn (signature L90SRQYfgiVKB9vTEfgIdHCNyRs=).
const CLI_RAM_ROLE_TARGET: &str = "/?Action=AssumeRole&Format=JSON&Version=2015-04-01&DurationSeconds=1800&RoleArn=acs%3Aram%3A%3A1234567890123456%3Arole%2Ftest-role&RoleSessionName=cli-session&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Timestamp=2023-11-14T22%3A13%3A20Z&SignatureNonce=00000000-0000-4000-8000-000000000001&Policy=%7B%22Version%22%3A%221%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22oss%3AGetObject%22%2C%22Resource%22%3A%22acs%3Aoss%3A%2A%3A%2A%3Abucket%2F%2A%22%7D%5D%7D&ExternalId=ext-123&AccessKeyId=LTAI5tTestAccessKeyId&Signature=L90SRQYfgiVKB9vTEfgIdHCNyRs%3D";

fn config_json(home: &TempDir, current: &str, uri: &str) -> String {
    let token = home.write("oidc_token", "jwt-cli");
    let text = format!(
        r#"{{"current": "{current}", "profiles": [
  {{"name": "ak", "mode": "AK", "access_key_id": "{AK}", "access_key_secret": "{SK}", "region_id": "cn-hangzhou"}},
  {{"name": "sts", "mode": "StsToken", "access_key_id": "STS.NSourceStsKeyId", "access_key_secret": "SourceStsSecret", "sts_token": "CAISourceSecurityToken"}},
  {{"name": "ramrole", "mode": "RamRoleArn", "access_key_id": "{AK}", "access_key_secret": "{SK}", "ram_role_arn": "{ROLE_ARN}", "ram_session_name": "cli-session", "expired_seconds": 1800, "sts_region": "cn-hangzhou", "external_id": "ext-123", "policy": "{{\"Version\":\"1\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"oss:GetObject\",\"Resource\":\"acs:oss:*:*:bucket/*\"}}]}}"}},
  {{"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "sts", "ram_role_arn": "{ROLE_ARN}", "ram_session_name": "chained"}},
  {{"name": "chain2", "mode": "ChainableRamRoleArn", "source_profile": "chain", "ram_role_arn": "{ROLE_ARN}"}},
  {{"name": "loop1", "mode": "ChainableRamRoleArn", "source_profile": "loop2", "ram_role_arn": "{ROLE_ARN}"}},
  {{"name": "loop2", "mode": "ChainableRamRoleArn", "source_profile": "loop1", "ram_role_arn": "{ROLE_ARN}"}},
  {{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "EcsRamRoleTest"}},
  {{"name": "oidc", "mode": "OIDC", "ram_role_arn": "{ROLE_ARN}", "oidc_provider_arn": "{OIDC_PROVIDER_ARN}", "oidc_token_file": "{token}", "role_session_name": "cli-oidc"}},
  {{"name": "oidc-go", "mode": "OIDC", "ram_role_arn": "{ROLE_ARN}", "oidc_provider_arn": "{OIDC_PROVIDER_ARN}", "oidc_token_file": "{token}", "ram_session_name": "go-style"}},
  {{"name": "uri", "mode": "CredentialsURI", "credentials_uri": "{uri}"}},
  {{"name": "sso", "mode": "CloudSSO", "access_token": "sso-access-token-SECRET"}}
]}}"#
    );
    home.write(".aliyun/config.json", &text)
}

/// One server playing STS, IMDS and the credentials URI.
async fn services() -> Server {
    Server::start(|r: &Req| match (r.method.as_str(), r.path()) {
        ("PUT", "/latest/api/token") => (200, "tok".into()),
        ("GET", p) if p.starts_with("/latest/meta-data/ram/security-credentials/") => {
            (200, imds_answer(1, T0 + 6 * 3600))
        }
        ("GET", "/v1/credentials") => (
            200,
            format!(
                r#"{{"Code":"Success","AccessKeyId":"STS.NUriKeyId0001","AccessKeySecret":"UriSecret0001","SecurityToken":"CAISUriToken0001","Expiration":"{}"}}"#,
                iso(T0 + 3600)
            ),
        ),
        _ => (200, sts_answer(1, T0 + 3600)),
    })
    .await
}

fn home_env(home: &TempDir, extra: &[(&str, &str)]) -> Env {
    let mut v: Vec<(String, String)> = vec![("HOME".into(), home.path().display().to_string())];
    v.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_map(v)
}

async fn cli(
    server: &Server,
    home: &TempDir,
    profile: &str,
) -> kmskit::Result<kmskit::Credentials> {
    let clock = TestClock::new();
    CliProfileProvider::with_env(
        CliProfileOptions {
            profile_name: Some(profile.into()),
            sts_endpoint: Some(server.url.clone()),
            metadata_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &home_env(home, &[]),
    )
    .with_hooks(hooks(&clock))
    .credentials()
    .await
}

#[tokio::test]
async fn cli_profile_modes() {
    let server = services().await;
    let home = TempDir::new();
    config_json(
        &home,
        "ak",
        &format!("{}/v1/credentials?role=app&x=1", server.url),
    );

    let c = cli(&server, &home, "ak").await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.provider_name()),
        (AK, "cli_profile/static_ak")
    );
    let c = cli(&server, &home, "sts").await.unwrap();
    assert_eq!(c.security_token(), Some("CAISourceSecurityToken"));
    assert_eq!(c.provider_name(), "cli_profile/static_sts");

    let c = cli(&server, &home, "ramrole").await.unwrap();
    assert_eq!(c.provider_name(), "cli_profile/ram_role_arn/static_ak");
    assert_eq!(
        server.requests().last().unwrap().target,
        CLI_RAM_ROLE_TARGET
    );

    let c = cli(&server, &home, "chain").await.unwrap();
    assert_eq!(c.provider_name(), "cli_profile/ram_role_arn/static_sts");
    let q = server.requests().last().unwrap().query();
    assert!(q.contains(&("SecurityToken".into(), "CAISourceSecurityToken".into())));
    assert!(q.contains(&("AccessKeyId".into(), "STS.NSourceStsKeyId".into())));
    assert_eq!(
        q.last().unwrap().1,
        spec_signature("GET", &q, "SourceStsSecret")
    );

    // Two levels: the inner role's STS credential signs the outer AssumeRole.
    let before = server.count();
    let c = cli(&server, &home, "chain2").await.unwrap();
    assert_eq!(
        c.provider_name(),
        "cli_profile/ram_role_arn/ram_role_arn/static_sts"
    );
    assert_eq!(server.count(), before + 2);
    let q = server.requests().last().unwrap().query();
    assert!(q.contains(&("AccessKeyId".into(), "STS.NAccessKeyId0001".into())));

    let e = cli(&server, &home, "loop1").await.unwrap_err();
    assert!(e.message().contains("cycle"), "{e}");
    assert!(e.message().contains("loop1 -> loop2 -> loop1"), "{e}");

    let c = cli(&server, &home, "ecs").await.unwrap();
    assert_eq!(c.provider_name(), "cli_profile/ecs_ram_role");
    assert!(server
        .requests()
        .last()
        .unwrap()
        .target
        .ends_with("/EcsRamRoleTest"));

    for (profile, session) in [("oidc", "cli-oidc"), ("oidc-go", "go-style")] {
        let c = cli(&server, &home, profile).await.unwrap();
        assert_eq!(c.provider_name(), "cli_profile/oidc_role_arn");
        let form = server.requests().last().unwrap().form();
        assert!(
            form.contains(&("RoleSessionName".into(), session.into())),
            "{form:?}"
        );
        assert!(form.contains(&("OIDCToken".into(), "jwt-cli".into())));
    }

    let c = cli(&server, &home, "uri").await.unwrap();
    assert_eq!(c.provider_name(), "cli_profile/credential_uri");
    let r = server.requests().last().unwrap().clone();
    assert_eq!(r.target, "/v1/credentials?role=app&x=1");
    assert_eq!(
        r.header("host"),
        Some(server.authority().as_str()),
        "host keeps the port"
    );

    let e = cli(&server, &home, "sso").await.unwrap_err();
    assert!(
        e.message().contains("CloudSSO") && e.message().contains("not supported"),
        "{e}"
    );
    assert!(!e.message().contains("SECRET"));
    let e = cli(&server, &home, "nope").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsNotConfigured);
}

#[tokio::test]
async fn cli_profile_selection_and_switches() {
    let home = TempDir::new();
    config_json(&home, "sts", "http://127.0.0.1:9/");
    let get = |env: Env| async move {
        CliProfileProvider::with_env(CliProfileOptions::default(), &env)
            .credentials()
            .await
    };
    // "current" of the file.
    let c = get(home_env(&home, &[])).await.unwrap();
    assert_eq!(c.access_key_id(), "STS.NSourceStsKeyId");
    // ALIBABA_CLOUD_PROFILE wins.
    let c = get(home_env(&home, &[("ALIBABA_CLOUD_PROFILE", "ak")]))
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), AK);
    // Disabled.
    let e = get(home_env(
        &home,
        &[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")],
    ))
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsNotConfigured);
    // ALIBABA_CLOUD_CONFIG_FILE.
    let other = TempDir::new();
    let path = other.write(
        "cfg.json",
        r#"{"current":"x","profiles":[{"name":"x","mode":"AK","access_key_id":"OTHER","access_key_secret":"s"}]}"#,
    );
    let c = get(home_env(&home, &[("ALIBABA_CLOUD_CONFIG_FILE", &path)]))
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), "OTHER");
    // No file at all.
    let empty = TempDir::new();
    let e = get(home_env(&empty, &[])).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsNotConfigured);
}

const INI: &str = "\
# comment
[default]
type = access_key
access_key_id = LTAI5tTestAccessKeyId   # trailing comment is cut
access_key_secret = TestAccessKeySecret0123456789

[arn]
type = ram_role_arn
access_key_id = LTAI5tTestAccessKeyId
access_key_secret = TestAccessKeySecret0123456789
role_arn = acs:ram::1234567890123456:role/test-role
role_session_name = ini-session

[ecs]
type = ecs_ram_role
role_name = EcsRamRoleTest

[oidc]
type = oidc_role_arn
role_arn = acs:ram::1234567890123456:role/test-role
oidc_provider_arn = acs:ram::1234567890123456:oidc-provider/ack-rrsa-test
oidc_token_file_path = TOKEN
role_session_name = ini-oidc

[rsa]
type = rsa_key_pair
public_key_id = TMPKEY.x
private_key_file = /x.pem

[sts]
type = sts
access_key_id = a
access_key_secret = SECRET-IN-FILE
";

async fn ini(server: &Server, env: &Env, section: &str) -> kmskit::Result<kmskit::Credentials> {
    let clock = TestClock::new();
    IniProfileProvider::with_env(
        IniProfileOptions {
            profile_name: Some(section.into()),
            sts_endpoint: Some(server.url.clone()),
            metadata_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        env,
    )
    .with_hooks(hooks(&clock))
    .credentials()
    .await
}

#[tokio::test]
async fn ini_profile_types() {
    let server = services().await;
    let home = TempDir::new();
    let token = home.write("oidc_token", "jwt-ini");
    home.write(
        ".alibabacloud/credentials.ini",
        &INI.replace("TOKEN", &token),
    );
    let env = home_env(&home, &[]);

    let c = ini(&server, &env, "default").await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.provider_name()),
        (AK, "profile/static_ak")
    );
    let c = ini(&server, &env, "arn").await.unwrap();
    assert_eq!(c.provider_name(), "profile/ram_role_arn/static_ak");
    let q = server.requests().last().unwrap().query();
    assert!(q.contains(&("RoleSessionName".into(), "ini-session".into())));
    let c = ini(&server, &env, "ecs").await.unwrap();
    assert_eq!(c.provider_name(), "profile/ecs_ram_role");
    let c = ini(&server, &env, "oidc").await.unwrap();
    assert_eq!(c.provider_name(), "profile/oidc_role_arn");
    assert!(server
        .requests()
        .last()
        .unwrap()
        .form()
        .contains(&("OIDCToken".into(), "jwt-ini".into())));
    let e = ini(&server, &env, "rsa").await.unwrap_err();
    assert!(e.message().contains("rsa_key_pair"), "{e}");
    let e = ini(&server, &env, "sts").await.unwrap_err();
    assert!(e.message().contains("\"sts\" is not supported"), "{e}");
    assert!(!e.message().contains("SECRET-IN-FILE"));
    let e = ini(&server, &env, "missing").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsNotConfigured);
}

#[tokio::test]
async fn ini_file_locations() {
    let server = services().await;
    // Go/Node's name without .ini.
    let home = TempDir::new();
    home.write(".alibabacloud/credentials", INI);
    let c = ini(&server, &home_env(&home, &[]), "default")
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), AK);
    // ALIBABA_CLOUD_CREDENTIALS_FILE and ALIBABA_CLOUD_PROFILE.
    let other = TempDir::new();
    let path = other.write(
        "c.ini",
        "[p]\ntype = access_key\naccess_key_id = FROMFILE\naccess_key_secret = s\n",
    );
    let env = home_env(
        &home,
        &[
            ("ALIBABA_CLOUD_CREDENTIALS_FILE", &path),
            ("ALIBABA_CLOUD_PROFILE", "p"),
        ],
    );
    let c = IniProfileProvider::with_env(IniProfileOptions::default(), &env)
        .credentials()
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), "FROMFILE");
}

fn chain(env: &Env, server: Option<&Server>) -> DefaultChain {
    let clock = TestClock::new();
    DefaultChain::with_env_and_hooks(
        DefaultChainOptions {
            sts_endpoint: server.map(|s| s.url.clone()),
            metadata_endpoint: Some(
                server
                    .map(|s| s.url.clone())
                    .unwrap_or_else(|| "http://127.0.0.1:9".into()),
            ),
        },
        env,
        hooks(&clock),
    )
}

#[tokio::test]
async fn chain_order_and_environment_names() {
    let server = services().await;
    let empty = TempDir::new();
    let e = |extra: &[(&str, &str)]| home_env(&empty, extra);

    // 1. env.
    let c = chain(
        &e(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", AK),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SK),
        ]),
        None,
    )
    .credentials()
    .await
    .unwrap();
    assert_eq!((c.access_key_id(), c.provider_name()), (AK, "default/env"));
    let c = chain(
        &e(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.x"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"),
        ]),
        None,
    )
    .credentials()
    .await
    .unwrap();
    assert_eq!(c.security_token(), Some("tok"));

    // 2. OIDC only with all three variables.
    let token = empty.write("t", "jwt-env");
    let two = [
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER_ARN),
    ];
    assert!(!chain(&e(&two), None)
        .step_names()
        .contains(&"oidc_role_arn"));
    let mut three = two.to_vec();
    three.push(("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token));
    let ch = chain(&e(&three), Some(&server));
    assert_eq!(
        ch.step_names(),
        [
            "env",
            "oidc_role_arn",
            "cli_profile",
            "profile",
            "ecs_ram_role"
        ]
    );
    let c = ch.credentials().await.unwrap();
    assert_eq!(c.provider_name(), "default/oidc_role_arn");

    // 3. CLI profile before 4. ini.
    let home = TempDir::new();
    config_json(&home, "ak", "http://127.0.0.1:9/");
    home.write(
        ".alibabacloud/credentials.ini",
        "[default]\ntype = access_key\naccess_key_id = INI\naccess_key_secret = s\n",
    );
    let c = chain(&home_env(&home, &[]), None)
        .credentials()
        .await
        .unwrap();
    assert_eq!(c.provider_name(), "default/cli_profile/static_ak");
    let c = chain(
        &home_env(&home, &[("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")]),
        None,
    )
    .credentials()
    .await
    .unwrap();
    assert_eq!(
        (c.access_key_id(), c.provider_name()),
        ("INI", "default/profile/static_ak")
    );

    // 5. ECS, then 6. URI when ECS is disabled.
    let c = chain(&e(&[]), Some(&server)).credentials().await.unwrap();
    assert_eq!(c.provider_name(), "default/ecs_ram_role");
    let uri = format!("{}/v1/credentials?role=app&x=1", server.url);
    let ch = chain(
        &e(&[
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
            ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri),
        ]),
        None,
    );
    assert_eq!(
        ch.step_names(),
        ["env", "cli_profile", "profile", "credential_uri"]
    );
    let c = ch.credentials().await.unwrap();
    assert_eq!(
        (c.access_key_id(), c.provider_name()),
        ("STS.NUriKeyId0001", "default/credential_uri")
    );
}

#[tokio::test]
async fn all_failing_reports_every_provider() {
    let empty = TempDir::new();
    let env = home_env(
        &empty,
        &[
            ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ],
    );
    let e = chain(&env, None).credentials().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsNotConfigured);
    let m = e.message();
    assert!(
        m.contains("env: ALIBABA_CLOUD_ACCESS_KEY_ID is not set"),
        "{m}"
    );
    assert!(
        m.contains("cli_profile: the CLI profile is disabled"),
        "{m}"
    );
    assert!(m.contains("profile: no credentials file"), "{m}");

    // A configured provider that fails makes it CredentialsUnavailable, reason included.
    let env = home_env(
        &empty,
        &[
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
            ("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/x"),
        ],
    );
    let e = chain(&env, None).credentials().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CredentialsUnavailable);
    assert!(e.message().contains("credential_uri: "), "{e}");
}

#[tokio::test]
async fn a_failing_current_provider_makes_the_chain_walk_again() {
    let server = services().await;
    let home = TempDir::new();
    let clock = TestClock::new();
    let ch = Arc::new(DefaultChain::with_env_and_hooks(
        DefaultChainOptions {
            metadata_endpoint: Some(server.url.clone()),
            ..Default::default()
        },
        &home_env(&home, &[]),
        hooks(&clock),
    ));
    // No files yet: ECS answers and becomes current.
    assert_eq!(
        ch.credentials().await.unwrap().provider_name(),
        "default/ecs_ram_role"
    );
    // The metadata service goes away for good; a CLI profile appears.
    server.set_handler(|_| (500, "".into()));
    config_json(&home, "ak", "http://127.0.0.1:9/");
    assert_eq!(
        ch.credentials().await.unwrap().provider_name(),
        "default/ecs_ram_role",
        "still valid"
    );
    clock.set(T0 + 6 * 3600 + 2 * 3600);
    let c = ch.credentials().await.unwrap();
    assert_eq!(c.provider_name(), "default/cli_profile/static_ak");
    // The new provider is now current: further calls do not touch the metadata service.
    let n = server.count();
    ch.credentials().await.unwrap();
    assert_eq!(server.count(), n);
}
