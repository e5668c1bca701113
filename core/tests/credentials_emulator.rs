//! The credentials providers end to end against the kmskit emulator's STS, ECS metadata and KMS
//! listeners: each provider's temporary credentials are issued by the emulator and accepted by
//! its KMS endpoint, and concurrent callers share one STS call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use base64::Engine as _;
use kmskit::credentials::{
    CliProfileOptions, CliProfileProvider, DefaultChain, DefaultChainOptions, EcsRamRoleOptions,
    EcsRamRoleProvider, Env, FnProvider, IniProfileOptions, IniProfileProvider, OidcRoleArnOptions,
    OidcRoleArnProvider, RamRoleArnOptions, RamRoleArnProvider,
};
use kmskit::{
    Client, ClientConfig, Credentials, CredentialsProvider, DecryptRequest, EncryptRequest,
    ErrorKind, StaticProvider,
};
use kmskit_emulator::sts::OidcProviderConfig;
use kmskit_emulator::{
    Emulator, EmulatorConfig, RunningEmulator, DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET,
};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ROLE_ARN: &str = "acs:ram::1234567890123456:role/kmskit-e2e";
const OIDC_PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/kmskit-e2e";

fn dev_source() -> Arc<dyn CredentialsProvider> {
    Arc::new(StaticProvider::new(
        Credentials::access_key(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET).unwrap(),
    ))
}

fn client(emu: &RunningEmulator, provider: Arc<dyn CredentialsProvider>) -> Client {
    let cfg = ClientConfig::builder()
        .endpoint(emu.endpoint())
        .region(emu.region())
        .credentials_provider(provider)
        .build()
        .unwrap();
    Client::new(cfg).unwrap()
}

async fn new_key(emu: &RunningEmulator) -> String {
    let c = client(emu, dev_source());
    let mut p = Map::new();
    p.insert("KeySpec".into(), json!("Aliyun_AES_256"));
    let r = c.call("CreateKey", p).await.unwrap();
    r["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

/// Encrypts and decrypts with `provider` and returns the access key id it signed with.
async fn round_trip(emu: &RunningEmulator, key_id: &str, provider: Arc<dyn CredentialsProvider>) {
    let c = client(emu, provider);
    let enc = c
        .encrypt(EncryptRequest::new(key_id, b"temporary".to_vec()))
        .await
        .unwrap();
    let dec = c
        .decrypt(DecryptRequest::new(enc.ciphertext_blob.clone()))
        .await
        .unwrap();
    assert_eq!(dec.plaintext.expose(), b"temporary");
}

async fn admin_get(emu: &RunningEmulator, path: &str) -> Value {
    let mut s = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
        emu.admin_token()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let body = out.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(body).unwrap_or_else(|_| panic!("{out}"))
}

async fn count(emu: &RunningEmulator, action: &str) -> u64 {
    admin_get(emu, "/_emulator/stats").await["requests"][action]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn ecs_ram_role_from_the_metadata_service() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let key_id = new_key(&emu).await;
    let ecs = EcsRamRoleProvider::with_env(
        EcsRamRoleOptions {
            metadata_endpoint: Some(emu.metadata_endpoint()),
            disable_imds_v1: Some(true),
            ..Default::default()
        },
        &Env::from_map(Vec::<(String, String)>::new()),
    )
    .unwrap();
    let creds = ecs.credentials().await.unwrap();
    assert!(creds.access_key_id().starts_with("STS."), "{creds:?}");
    assert!(creds.security_token().is_some() && creds.expiration().is_some());
    round_trip(&emu, &key_id, Arc::new(ecs)).await;
}

#[tokio::test]
async fn ram_role_arn_chained_twice_and_one_sts_call_for_many_callers() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let key_id = new_key(&emu).await;
    let options = |session: &str| RamRoleArnOptions {
        role_arn: Some(ROLE_ARN.into()),
        role_session_name: Some(session.into()),
        sts_endpoint: Some(emu.sts_endpoint()),
        ..Default::default()
    };
    let empty = Env::from_map(Vec::<(String, String)>::new());
    let first =
        Arc::new(RamRoleArnProvider::with_env(dev_source(), options("first"), &empty).unwrap());
    // The second role is assumed with the first role's temporary credentials (SecurityToken).
    let second: Arc<dyn CredentialsProvider> =
        Arc::new(RamRoleArnProvider::with_env(first, options("second"), &empty).unwrap());

    let before = count(&emu, "AssumeRole").await;
    let c = client(&emu, second);
    let mut calls = Vec::new();
    for _ in 0..200 {
        let c = c.clone();
        let key_id = key_id.clone();
        calls.push(tokio::spawn(async move {
            c.encrypt(EncryptRequest::new(key_id, b"x".to_vec())).await
        }));
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    // One AssumeRole per role, however many callers raced for the empty cache.
    assert_eq!(count(&emu, "AssumeRole").await - before, 2);
}

#[tokio::test]
async fn profile_files_and_default_chain_reach_the_emulator() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let key_id = new_key(&emu).await;
    let home = tempfile::tempdir().unwrap();
    let cli = home.path().join("config.json");
    std::fs::write(
        &cli,
        json!({"current": "role", "profiles": [
            {"name": "dev", "mode": "AK", "access_key_id": DEV_ACCESS_KEY_ID,
             "access_key_secret": DEV_ACCESS_KEY_SECRET},
            {"name": "role", "mode": "ChainableRamRoleArn", "source_profile": "dev",
             "ram_role_arn": ROLE_ARN, "ram_session_name": "cli"}
        ]})
        .to_string(),
    )
    .unwrap();
    let empty = Env::from_map(Vec::<(String, String)>::new());
    let profile = CliProfileProvider::with_env(
        CliProfileOptions {
            config_file: Some(cli.to_string_lossy().into_owned()),
            sts_endpoint: Some(emu.sts_endpoint()),
            ..Default::default()
        },
        &empty,
    );
    let creds = profile.credentials().await.unwrap();
    assert!(creds.access_key_id().starts_with("STS."));
    round_trip(&emu, &key_id, Arc::new(profile)).await;

    let ini = home.path().join("credentials.ini");
    std::fs::write(
        &ini,
        format!(
            "[default]\ntype = access_key\naccess_key_id = {DEV_ACCESS_KEY_ID}\naccess_key_secret = {DEV_ACCESS_KEY_SECRET}\n\n[ecs]\ntype = ecs_ram_role # on the instance\n"
        ),
    )
    .unwrap();
    for section in ["default", "ecs"] {
        let p = IniProfileProvider::with_env(
            IniProfileOptions {
                profile_name: Some(section.into()),
                credentials_file: Some(ini.to_string_lossy().into_owned()),
                metadata_endpoint: Some(emu.metadata_endpoint()),
                ..Default::default()
            },
            &empty,
        );
        round_trip(&emu, &key_id, Arc::new(p)).await;
    }

    // The chain, from environment variables naming the emulator's key.
    let env = Env::from_map([
        (
            "HOME".to_string(),
            home.path().to_string_lossy().into_owned(),
        ),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID".into(),
            DEV_ACCESS_KEY_ID.into(),
        ),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET".into(),
            DEV_ACCESS_KEY_SECRET.into(),
        ),
    ]);
    let chain = DefaultChain::with_env(DefaultChainOptions::default(), &env);
    assert_eq!(
        chain.credentials().await.unwrap().provider_name(),
        "default/env"
    );
    round_trip(&emu, &key_id, Arc::new(chain)).await;

    // Nothing in the environment or home: the chain falls through to the metadata service.
    let env = Env::from_map([(
        "HOME".to_string(),
        home.path().join("none").to_string_lossy().into_owned(),
    )]);
    let chain = DefaultChain::with_env(
        DefaultChainOptions {
            metadata_endpoint: Some(emu.metadata_endpoint()),
            ..Default::default()
        },
        &env,
    );
    let creds = chain.credentials().await.unwrap();
    assert_eq!(creds.provider_name(), "default/ecs_ram_role");
    round_trip(&emu, &key_id, Arc::new(chain)).await;
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An RS256 JWT and the JWKS that verifies it, made with the shared test RSA key.
fn oidc_token_and_jwks(aud: &str, exp_from_now: i64) -> (String, String) {
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/testdata/clientkey/clientkey_private.pem"
    ))
    .unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let header = b64url(br#"{"alg":"RS256","kid":"e2e","typ":"JWT"}"#);
    let claims = b64url(
        json!({"iss": "https://oidc.example.test", "aud": aud, "sub": "system:serviceaccount:app",
               "iat": now, "exp": now + exp_from_now})
        .to_string()
        .as_bytes(),
    );
    let signing_input = format!("{header}.{claims}");
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    let public: ring::rsa::PublicKeyComponents<Vec<u8>> = key.public().into();
    let jwks = json!({"keys": [{
        "kty": "RSA", "kid": "e2e", "alg": "RS256", "use": "sig",
        "n": b64url(&public.n),
        "e": b64url(&public.e),
    }]})
    .to_string();
    (format!("{signing_input}.{}", b64url(&sig)), jwks)
}

#[tokio::test]
async fn oidc_role_arn_against_the_emulator_sts() {
    let (token, jwks) = oidc_token_and_jwks("kmskit", 3600);
    let mut config = EmulatorConfig::default();
    config.sts.oidc.push(OidcProviderConfig {
        provider_arn: Some(OIDC_PROVIDER_ARN.into()),
        issuer: Some("https://oidc.example.test".into()),
        audiences: vec!["kmskit".into()],
        jwks,
    });
    let emu = Emulator::start(config).await.unwrap();
    let key_id = new_key(&emu).await;
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &token).unwrap();
    let options = OidcRoleArnOptions {
        role_arn: Some(ROLE_ARN.into()),
        oidc_provider_arn: Some(OIDC_PROVIDER_ARN.into()),
        oidc_token_file: Some(token_file.to_string_lossy().into_owned()),
        sts_endpoint: Some(emu.sts_endpoint()),
        ..Default::default()
    };
    let empty = Env::from_map(Vec::<(String, String)>::new());
    let oidc = OidcRoleArnProvider::with_env(options.clone(), &empty).unwrap();
    round_trip(&emu, &key_id, Arc::new(oidc)).await;

    // A token for another audience is refused by STS; the error is a credentials error
    // carrying no token text.
    let (wrong, _) = oidc_token_and_jwks("someone-else", 3600);
    std::fs::write(&token_file, &wrong).unwrap();
    let oidc = OidcRoleArnProvider::with_env(options, &empty).unwrap();
    let err = oidc.credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials, "{err}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&wrong[..40]), "{text}");
}

#[tokio::test]
async fn a_user_provider_and_a_refused_identity() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let key_id = new_key(&emu).await;
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    let mine = FnProvider::new(move || {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async { Credentials::access_key(DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET) }
    });
    round_trip(&emu, &key_id, Arc::new(mine)).await;
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1, "cached");

    // An identity the emulator does not know is refused by KMS with an authentication error.
    let stranger: Arc<dyn CredentialsProvider> = Arc::new(StaticProvider::new(
        Credentials::access_key("LTAI5tNobodyKnowsThis", "nope").unwrap(),
    ));
    let err = client(&emu, stranger)
        .encrypt(EncryptRequest::new(key_id, b"x".to_vec()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
}
