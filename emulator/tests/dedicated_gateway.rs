//! The dedicated gateway's listener: TLS against the generated CA with the expected names, the
//! OpenAPI (RAM signatures) on the same port, ClientKeys issued by CreateClientKey and by the
//! binary's --client-key-out (official file format, legacy PKCS#12 that openssl opens and whose key
//! the Instance API then accepts), and the ready line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod dedicated_support;

use std::io::BufRead;
use std::process::{Command, Stdio};

use base64::Engine;
use dedicated_support::*;
use kmskit_emulator::dedicated::proto;
use kmskit_emulator::EmulatorConfig;
use rsa::pkcs8::DecodePrivateKey;
use rustls_pki_types::ServerName;

async fn handshake(
    emu: &kmskit_emulator::RunningEmulator,
    ca_pem: &str,
    name: &str,
) -> Result<(), std::io::Error> {
    let connector = tokio_rustls::TlsConnector::from(tls_config(ca_pem));
    let tcp = tokio::net::TcpStream::connect(emu.dedicated_addr().unwrap()).await?;
    connector
        .connect(ServerName::try_from(name.to_owned()).unwrap(), tcp)
        .await
        .map(|_| ())
}

#[tokio::test]
async fn tls_verifies_against_the_generated_ca_for_every_san() {
    let emu = start_with(EmulatorConfig::default()).await;
    let ca_file = emu.dedicated_ca_file().unwrap().to_owned();
    assert_eq!(
        ca_file.file_name().unwrap().to_str().unwrap(),
        "PrivateKmsCA_kst-emu00000000000000000.pem"
    );
    let ca = std::fs::read_to_string(&ca_file).unwrap();
    assert_eq!(ca, emu.dedicated_ca_pem().unwrap());
    assert!(emu
        .dedicated_endpoint()
        .unwrap()
        .starts_with("https://127.0.0.1:"));
    let host = emu.dedicated_host().unwrap();
    assert_eq!(
        host,
        "kst-emu00000000000000000.cryptoservice.kms.aliyuncs.com"
    );
    for name in [host.as_str(), "localhost", "127.0.0.1"] {
        handshake(&emu, &ca, name)
            .await
            .unwrap_or_else(|e| panic!("handshake as {name}: {e}"));
    }
    let e = handshake(&emu, &ca, "kms.cn-hangzhou.aliyuncs.com")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("certificate"), "{e}");
    // Another CA (the shared test instance CA) is no anchor for this server.
    let other =
        std::fs::read_to_string(testdata("PrivateKmsCA_kst-test0000000000000000.pem")).unwrap();
    assert!(handshake(&emu, &other, &host).await.is_err());
    // In-memory: the CA lives in a temporary directory that goes away with the emulator.
    emu.shutdown().await;
    assert!(!ca_file.exists());
}

#[tokio::test]
async fn instance_id_port_and_ca_dir_are_configurable_and_the_gateway_can_be_off() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut config = EmulatorConfig::default();
    config.dedicated.instance_id = "kst-hzz0123456789abcdefg".into();
    config.dedicated.addr = ([127, 0, 0, 1], port).into();
    config.dedicated.ca_dir = Some(dir.path().to_owned());
    let emu = start_with(config).await;
    assert_eq!(emu.dedicated_addr().unwrap().port(), port);
    assert_eq!(emu.instance_id(), Some("kst-hzz0123456789abcdefg"));
    let ca_file = dir.path().join("PrivateKmsCA_kst-hzz0123456789abcdefg.pem");
    assert_eq!(emu.dedicated_ca_file(), Some(ca_file.as_path()));
    let ca = std::fs::read_to_string(&ca_file).unwrap();
    handshake(
        &emu,
        &ca,
        "kst-hzz0123456789abcdefg.cryptoservice.kms.aliyuncs.com",
    )
    .await
    .unwrap();
    let line = emu.ready_line();
    assert_eq!(line["instance_id"], "kst-hzz0123456789abcdefg");
    assert_eq!(
        line["dedicated_endpoint"],
        format!("https://127.0.0.1:{port}")
    );
    assert_eq!(line["dedicated_ca_file"], ca_file.to_str().unwrap());
    emu.shutdown().await;
    assert!(ca_file.exists(), "a configured CA directory is kept");

    let mut off = EmulatorConfig::default();
    off.dedicated.enabled = false;
    let emu = kmskit_emulator::Emulator::start(off).await.unwrap();
    assert!(emu.dedicated_endpoint().is_none());
    assert!(emu.ready_line()["dedicated_endpoint"].is_null());
}

#[tokio::test]
async fn openapi_with_ram_signatures_is_served_on_the_dedicated_port() {
    let emu = start_with(EmulatorConfig::default()).await;
    let (status, v) = openapi_over_tls(&emu, "CreateKey", &[("KeySpec", "Aliyun_AES_256")]).await;
    assert_eq!(status, 200, "{v}");
    let key_id = v["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let (status, v) = openapi_over_tls(
        &emu,
        "Encrypt",
        &[("KeyId", key_id.as_str()), ("Plaintext", "aGVsbG8=")],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    // The same store: the key made over TLS works on the plain listener too.
    let kms = common::Kms::new(
        &emu.endpoint(),
        &emu.credential().access_key_id,
        &emu.credential().access_key_secret,
        emu.admin_token(),
    );
    let blob = v["CiphertextBlob"].as_str().unwrap();
    let d = kms.ok("Decrypt", &[("CiphertextBlob", blob)]).await;
    assert_eq!(d["Plaintext"], "aGVsbG8=");
    // A wrong secret is refused exactly as on the plain listener.
    let (status, v) = openapi_over_tls(&emu, "ListKeys", &[("AccessKeyId", "LTAIunknown")]).await;
    assert!(status >= 400, "{v}");
}

/// Opens a PKCS#12 with the openssl CLI (legacy provider for RC2-40) and returns the PEM output.
fn openssl_open(p12: &[u8], password: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.p12");
    std::fs::write(&path, p12).unwrap();
    let out = Command::new("openssl")
        .args(["pkcs12", "-in"])
        .arg(&path)
        .args(["-legacy", "-nodes", "-info", "-passin"])
        .arg(format!("pass:{password}"))
        .output()
        .expect("the openssl CLI must be installed for this test");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "openssl refused the PKCS#12: {stderr}"
    );
    // The profile of real ClientKeys (reference §3.2).
    assert!(stderr.contains("MAC: sha1, Iteration 1"), "{stderr}");
    assert!(
        stderr.contains("pbeWithSHA1And40BitRC2-CBC, Iteration 2048"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048"),
        "{stderr}"
    );
    let wrong = Command::new("openssl")
        .args(["pkcs12", "-in"])
        .arg(&path)
        .args(["-legacy", "-nodes", "-passin", "pass:not-the-password"])
        .output()
        .unwrap();
    assert!(
        !wrong.status.success(),
        "a wrong password must fail the MAC"
    );
    String::from_utf8(out.stdout).unwrap()
}

fn private_key_from(pem_bundle: &str) -> rsa::RsaPrivateKey {
    let start = pem_bundle.find("-----BEGIN PRIVATE KEY-----").unwrap();
    let end =
        pem_bundle.find("-----END PRIVATE KEY-----").unwrap() + "-----END PRIVATE KEY-----".len();
    rsa::RsaPrivateKey::from_pkcs8_pem(&pem_bundle[start..end]).unwrap()
}

async fn random_works(
    emu: &kmskit_emulator::RunningEmulator,
    key: rsa::RsaPrivateKey,
    key_id: &str,
) {
    let inst = Instance {
        emu,
        key,
        key_id: key_id.to_owned(),
    };
    let r: proto::GenerateRandomResponse = inst
        .ok(
            "GenerateRandom",
            &proto::GenerateRandomRequest { length: 24 },
        )
        .await;
    assert_eq!(r.random.len(), 24);
}

#[tokio::test]
async fn create_client_key_issues_the_official_format_and_the_key_is_accepted() {
    let emu = start_with(EmulatorConfig::default()).await;
    let kms = common::Kms::new(
        &emu.endpoint(),
        &emu.credential().access_key_id,
        &emu.credential().access_key_secret,
        emu.admin_token(),
    );
    let password = "kmskit-Test-123";
    let v = kms
        .ok(
            "CreateClientKey",
            &[
                ("AapName", "aap_test"),
                ("Password", password),
                ("NotBefore", "2024-01-01T00:00:00Z"),
                ("NotAfter", "2099-01-01T00:00:00Z"),
            ],
        )
        .await;
    let key_id = v["ClientKeyId"].as_str().unwrap();
    assert!(
        key_id.starts_with("KAAP.") && key_id.len() == 41,
        "{key_id}"
    );
    assert_eq!(v["KeyAlgorithm"], "RSA_2048");
    assert_eq!(v["NotBefore"], "2024-01-01T00:00:00Z");
    assert_eq!(v["NotAfter"], "2099-01-01T00:00:00Z");
    let p12 = base64::engine::general_purpose::STANDARD
        .decode(v["PrivateKeyData"].as_str().unwrap())
        .unwrap();
    let pem = openssl_open(&p12, password);
    assert!(pem.contains("-client"), "{pem}");
    random_works(&emu, private_key_from(&pem), key_id).await;

    // The password rules of KMS; missing parameters.
    let (status, code) = kms
        .err(
            "CreateClientKey",
            &[("AapName", "a"), ("Password", "short")],
        )
        .await;
    assert_eq!((status, code.as_str()), (400, "InvalidParameter"));
    let (_, code) = kms.err("CreateClientKey", &[("Password", password)]).await;
    assert_eq!(code, "MissingParameter");
    // A key whose validity has ended is refused by the Instance API.
    let v = kms
        .ok(
            "CreateClientKey",
            &[
                ("AapName", "aap_test"),
                ("Password", password),
                ("NotBefore", "2020-01-01T00:00:00Z"),
                ("NotAfter", "2021-01-01T00:00:00Z"),
            ],
        )
        .await;
    let p12 = base64::engine::general_purpose::STANDARD
        .decode(v["PrivateKeyData"].as_str().unwrap())
        .unwrap();
    let inst = Instance {
        emu: &emu,
        key: private_key_from(&openssl_open(&p12, password)),
        key_id: v["ClientKeyId"].as_str().unwrap().to_owned(),
    };
    let e = inst
        .call::<proto::GenerateRandomResponse>(
            "GenerateRandom",
            &proto::GenerateRandomRequest { length: 8 },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.status_code, e.error_code.as_str()),
        (401, "Unauthorized")
    );
}

#[tokio::test]
async fn issue_client_key_from_rust() {
    let emu = start_with(EmulatorConfig::default()).await;
    let issued = emu.issue_client_key(Some("pw-1234567")).unwrap();
    assert!(!format!("{issued:?}").contains(issued.password.as_str()));
    let file: serde_json::Value = serde_json::from_str(&issued.file_json()).unwrap();
    assert_eq!(file.as_object().unwrap().len(), 2);
    assert_eq!(file["KeyId"], issued.key_id.as_str());
    let p12 = base64::engine::general_purpose::STANDARD
        .decode(file["PrivateKeyData"].as_str().unwrap())
        .unwrap();
    let pem = openssl_open(&p12, "pw-1234567");
    random_works(&emu, private_key_from(&pem), &issued.key_id).await;
}

#[tokio::test]
async fn binary_issues_a_client_key_at_start_and_reports_it_in_the_ready_line() {
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmskit-emulator"))
        .args(["--in-memory", "--client-key-out"])
        .arg(out.path())
        .args(["--client-key"])
        .arg(format!(
            "{TEST_KEY_ID}={}",
            testdata("clientkey_public.pem").display()
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    for k in [
        "endpoint",
        "admin_token",
        "access_key_id",
        "dedicated_endpoint",
        "dedicated_ca_file",
        "dedicated_host",
        "instance_id",
        "client_key_file",
        "client_key_password_file",
    ] {
        assert!(ready[k].is_string(), "ready line lacks {k}: {ready}");
    }
    assert_eq!(ready["instance_id"], "kst-emu00000000000000000");
    let key_file = std::path::PathBuf::from(ready["client_key_file"].as_str().unwrap());
    assert_eq!(key_file.parent().unwrap(), out.path());
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&key_file).unwrap()).unwrap();
    let key_id = file["KeyId"].as_str().unwrap();
    assert_eq!(
        key_file.file_name().unwrap().to_str().unwrap(),
        format!("clientKey_{key_id}.json")
    );
    let password =
        std::fs::read_to_string(ready["client_key_password_file"].as_str().unwrap()).unwrap();
    assert_eq!(password.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let p12 = base64::engine::general_purpose::STANDARD
        .decode(file["PrivateKeyData"].as_str().unwrap())
        .unwrap();
    openssl_open(&p12, &password);
    let ca = std::path::PathBuf::from(ready["dedicated_ca_file"].as_str().unwrap());
    assert!(std::fs::read_to_string(&ca)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert!(child.wait().unwrap().success());
    assert!(
        !ca.exists(),
        "the temporary CA directory is removed on SIGTERM"
    );
}
