//! The STS actions: parameter rules as the STS docs state them, responses in the official shape
//! (`AssumedRoleUser`, `Credentials`, `OIDCTokenInfo`; field names as the SDK models read them).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::store::{format_time, role_id_for, AssumedRole, TempCredential};
use super::{oidc, STS_VERSION};
use crate::auth::{self, RawRequest};
use crate::error::KmsError;
use crate::server::Shared;

/// A request that passed authentication (or needs none).
#[derive(Debug)]
pub struct StsRequest {
    pub action: String,
    pub params: BTreeMap<String, String>,
    /// The signing AccessKey; None for the anonymous AssumeRoleWithOIDC.
    pub caller: Option<String>,
}

/// AssumeRoleWithOIDC is anonymous (the JWT is the proof); everything else is signed with a
/// long-term key, or with a temporary key plus its security token.
pub fn authenticate(
    shared: &Shared,
    raw: &RawRequest,
    now: DateTime<Utc>,
) -> Result<StsRequest, KmsError> {
    let params = raw.params();
    let action = params
        .get("Action")
        .cloned()
        .or_else(|| raw.header("x-acs-action").map(|a| a.trim().to_owned()))
        .unwrap_or_default();
    if action == "AssumeRoleWithOIDC" {
        let version = params
            .get("Version")
            .map(String::as_str)
            .or_else(|| raw.header("x-acs-version").map(str::trim));
        if version.is_some_and(|v| v != STS_VERSION) {
            return Err(KmsError::new(
                400,
                "InvalidVersion",
                "Specified parameter Version is not valid.",
            ));
        }
        return Ok(StsRequest {
            action,
            params,
            caller: None,
        });
    }
    let lookup = |ak: &str| {
        shared
            .credentials
            .get(ak)
            .cloned()
            .or_else(|| shared.sts.credentials.secret_for(ak))
    };
    let authed = auth::verify_for_version(
        raw,
        &lookup,
        &shared.verify,
        now,
        Some(&shared.nonces),
        STS_VERSION,
    )?;
    shared.sts.credentials.check_token(raw, &authed, now)?;
    Ok(StsRequest {
        action: authed.action,
        params: authed.params,
        caller: Some(authed.access_key_id),
    })
}

pub fn dispatch(shared: &Shared, req: StsRequest, now: DateTime<Utc>) -> Result<Value, KmsError> {
    match req.action.as_str() {
        "AssumeRole" => assume_role(shared, &req.params, now),
        "AssumeRoleWithOIDC" => assume_role_with_oidc(shared, &req.params, now),
        "GetCallerIdentity" => Ok(caller_identity(shared, req.caller.as_deref().unwrap_or(""))),
        _ => Err(KmsError::action_not_found()),
    }
}

fn wrongly_formed(param: &'static str) -> KmsError {
    KmsError::new(
        400,
        format!("InvalidParameter.{param}"),
        format!("The parameter {param} is wrongly formed."),
    )
}

fn duration(params: &BTreeMap<String, String>, max: u64) -> Result<Duration, KmsError> {
    let bad = || {
        KmsError::new(
            400,
            "InvalidParameter.DurationSeconds",
            format!("The Min/Max value of DurationSeconds is 900/{max} seconds."),
        )
    };
    let secs = match params.get("DurationSeconds") {
        None => 3600.min(max),
        Some(v) => v.trim().parse::<u64>().map_err(|_| bad())?,
    };
    if !(900..=max).contains(&secs) {
        return Err(bad());
    }
    Ok(Duration::from_secs(secs))
}

fn name_ok(s: &str, len: std::ops::RangeInclusive<usize>, extra: &[u8]) -> bool {
    len.contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
}

/// `acs:ram::<account>:<kind>/<name>` → (account, name).
fn parse_arn<'a>(arn: &'a str, kind: &str) -> Option<(&'a str, &'a str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, name) = rest.split_once(&format!(":{kind}/"))?;
    let account_ok = !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit());
    (account_ok && name_ok(name, 1..=64, b".-")).then_some((account, name))
}

fn role(params: &BTreeMap<String, String>) -> Result<(String, String), KmsError> {
    let arn = params
        .get("RoleArn")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| KmsError::missing("RoleArn"))?;
    let (account, name) = parse_arn(arn, "role").ok_or_else(|| wrongly_formed("RoleArn"))?;
    Ok((account.to_owned(), name.to_owned()))
}

fn session_name(
    params: &BTreeMap<String, String>,
    default: Option<&str>,
) -> Result<String, KmsError> {
    let name = match (params.get("RoleSessionName"), default) {
        (Some(n), _) => n.as_str(),
        (None, Some(d)) => d,
        (None, None) => return Err(KmsError::missing("RoleSessionName")),
    };
    if !name_ok(name, 2..=64, b".@-_") {
        return Err(wrongly_formed("RoleSessionName"));
    }
    Ok(name.to_owned())
}

/// A session policy must be a policy document: JSON with `Version` and a `Statement` array.
fn check_policy(params: &BTreeMap<String, String>) -> Result<(), KmsError> {
    let Some(policy) = params.get("Policy") else {
        return Ok(());
    };
    let grammar = || {
        KmsError::new(
            400,
            "InvalidParameter.PolicyGrammar",
            "The parameter Policy has not passed grammar check.",
        )
    };
    if policy.is_empty() || policy.len() > 2048 {
        return Err(grammar());
    }
    let doc: Value = serde_json::from_str(policy).map_err(|_| grammar())?;
    if !(doc.get("Version").is_some_and(Value::is_string)
        && doc.get("Statement").is_some_and(Value::is_array))
    {
        return Err(grammar());
    }
    Ok(())
}

fn check_external_id(params: &BTreeMap<String, String>) -> Result<(), KmsError> {
    match params.get("ExternalId") {
        Some(id) if !name_ok(id, 2..=1224, b"=,.@:/-_") => Err(wrongly_formed("ExternalId")),
        _ => Ok(()),
    }
}

fn issue(
    shared: &Shared,
    account: String,
    role_name: String,
    session: String,
    requested: Duration,
    now: DateTime<Utc>,
) -> TempCredential {
    let arn = format!("acs:ram::{account}:role/{role_name}");
    let identity = AssumedRole {
        role_id: role_id_for(&arn),
        account_id: account,
        role_name,
        session_name: session,
    };
    let lifetime = shared.sts.lifetime(requested);
    let cred = shared.sts.credentials.issue(identity, now, lifetime);
    tracing::info!(access_key_id = %cred.access_key_id, role = %arn, expiration = %cred.expiration_text(), "issued temporary credentials");
    cred
}

fn credentials_body(c: &TempCredential) -> Value {
    json!({
        "AssumedRoleUser": {
            "AssumedRoleId": c.identity.assumed_role_id(),
            "Arn": c.identity.arn(),
        },
        "Credentials": {
            "SecurityToken": c.security_token,
            "AccessKeyId": c.access_key_id,
            "AccessKeySecret": c.access_key_secret,
            "Expiration": c.expiration_text(),
        },
    })
}

fn assume_role(
    shared: &Shared,
    params: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, KmsError> {
    let (account, role_name) = role(params)?;
    let session = session_name(params, None)?;
    let requested = duration(params, shared.sts.config.max_duration_seconds)?;
    check_policy(params)?;
    check_external_id(params)?;
    let cred = issue(shared, account, role_name, session, requested, now);
    Ok(credentials_body(&cred))
}

fn assume_role_with_oidc(
    shared: &Shared,
    params: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<Value, KmsError> {
    let provider_arn = params
        .get("OIDCProviderArn")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| KmsError::missing("OIDCProviderArn"))?;
    if parse_arn(provider_arn, "oidc-provider").is_none() {
        return Err(wrongly_formed("OIDCProviderArn"));
    }
    let token = params
        .get("OIDCToken")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KmsError::missing("OIDCToken"))?;
    let (account, role_name) = role(params)?;
    let session = session_name(params, Some("oidc-session"))?;
    let requested = duration(params, shared.sts.config.max_duration_seconds)?;
    check_policy(params)?;
    let provider = shared
        .sts
        .oidc
        .iter()
        .find(|p| p.config.provider_arn.as_deref() == Some(provider_arn.as_str()))
        .or_else(|| {
            shared
                .sts
                .oidc
                .iter()
                .find(|p| p.config.provider_arn.is_none())
        })
        .ok_or_else(|| {
            KmsError::new(
                404,
                "EntityNotExist.OIDCProvider",
                "The specified OIDC provider does not exist.",
            )
        })?;
    let skew = chrono::Duration::from_std(shared.sts.config.oidc_clock_skew)
        .unwrap_or(chrono::Duration::seconds(60));
    let info = oidc::verify(provider, token, now, skew)?;
    let cred = issue(shared, account, role_name, session, requested, now);
    let mut body = credentials_body(&cred);
    if let Value::Object(m) = &mut body {
        m.insert(
            "OIDCTokenInfo".into(),
            json!({
                "Subject": info.subject,
                "Issuer": info.issuer,
                "ClientIds": info.audiences.join(","),
                "ExpirationTime": format_time(info.expires),
                "IssuanceTime": info.issued.map(format_time),
                "VerificationInfo": "Success",
            }),
        );
    }
    Ok(body)
}

/// Temporary keys report their assumed role; long-term keys are reported as one RAM user.
fn caller_identity(shared: &Shared, access_key_id: &str) -> Value {
    if let Some(c) = shared.sts.credentials.get(access_key_id) {
        let id = c.identity.assumed_role_id();
        return json!({
            "AccountId": c.identity.account_id,
            "Arn": c.identity.arn(),
            "UserId": id,
            "PrincipalId": id,
            "RoleId": c.identity.role_id,
            "IdentityType": "AssumedRoleUser",
        });
    }
    let account = &shared.ctx.account_id;
    let user_id = format!("2{}", &role_id_for(access_key_id)[1..16]);
    json!({
        "AccountId": account,
        "Arn": format!("acs:ram::{account}:user/kmskit-emulator"),
        "UserId": user_id,
        "PrincipalId": user_id,
        "IdentityType": "RAMUser",
    })
}
