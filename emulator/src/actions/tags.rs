//! Tags on keys and secrets. Resources are addressed by KeyId (or alias) or SecretName; the
//! newer ListTagResources form (`ResourceType` + `ResourceId.N`) is accepted too.

use serde_json::{json, Value};

use super::keys::{parse_tags, resolve_key};
use super::{Ctx, Params};
use crate::error::{KmsError, KmsResult};

/// (storage resource id, resource type, public id)
fn resource(ctx: &Ctx, p: &Params) -> KmsResult<(String, &'static str, String)> {
    if let Some(id) = p.opt("KeyId") {
        let key = resolve_key(ctx, id)?;
        return Ok((format!("key:{}", key.key_id), "key", key.key_id));
    }
    if let Some(name) = p.opt("SecretName") {
        ctx.store
            .get_secret(name)?
            .ok_or_else(KmsError::resource_not_found)?;
        return Ok((format!("secret:{name}"), "secret", name.to_owned()));
    }
    Err(KmsError::missing("KeyId"))
}

pub(super) fn tag_resource(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let (res, _, _) = resource(ctx, p)?;
    let tags = parse_tags(p, "Tags")?;
    if tags.is_empty() {
        return Err(KmsError::missing("Tags"));
    }
    ctx.store.set_tags(&res, &tags)?;
    Ok(json!({}))
}

pub(super) fn untag_resource(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let (res, _, _) = resource(ctx, p)?;
    let keys = p
        .opt_json("TagKeys")?
        .ok_or_else(|| KmsError::missing("TagKeys"))?;
    let keys: Vec<String> = keys
        .as_array()
        .ok_or_else(|| KmsError::invalid("TagKeys"))?
        .iter()
        .map(|k| {
            k.as_str()
                .map(str::to_owned)
                .ok_or_else(|| KmsError::invalid("TagKeys"))
        })
        .collect::<KmsResult<_>>()?;
    ctx.store.remove_tags(&res, &keys)?;
    Ok(json!({}))
}

/// `ResourceId.1..N` with `ResourceType` (key|secret), or plain KeyId/SecretName.
pub(super) fn list_tag_resources(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let mut targets = Vec::new();
    let ids: Vec<&str> =
        p.0.iter()
            .filter(|(k, _)| k.starts_with("ResourceId."))
            .map(|(_, v)| v.as_str())
            .collect();
    if ids.is_empty() {
        targets.push(resource(ctx, p)?);
    } else {
        let kind = p.opt("ResourceType").unwrap_or("key").to_ascii_lowercase();
        for id in ids {
            let owned = std::collections::BTreeMap::from([(
                if kind == "secret" {
                    "SecretName".to_owned()
                } else {
                    "KeyId".to_owned()
                },
                id.to_owned(),
            )]);
            targets.push(resource(ctx, &Params(&owned))?);
        }
    }
    let mut out = Vec::new();
    for (res, kind, id) in targets {
        for (k, v) in ctx.store.tags(&res)? {
            out.push(json!({"ResourceId": id, "ResourceType": kind, "TagKey": k, "TagValue": v}));
        }
    }
    Ok(json!({"TagResources": {"TagResource": out}}))
}

/// The older ListResourceTags (keys only).
pub(super) fn list_resource_tags(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    let tags: Vec<Value> = ctx
        .store
        .tags(&format!("key:{}", key.key_id))?
        .into_iter()
        .map(|(k, v)| json!({"KeyId": key.key_id, "TagKey": k, "TagValue": v}))
        .collect();
    Ok(json!({"Tags": {"Tag": tags}}))
}
