//! Aliases: `alias/<name>` pointing at a key; usable wherever a KeyId is.

use serde_json::{json, Value};

use super::keys::resolve_key;
use super::{page, Ctx, Params};
use crate::error::{KmsError, KmsResult};
use crate::model::AliasRecord;

/// `alias/` followed by 1..=255 of `[A-Za-z0-9_/:-]` (KMS's documented character set).
fn valid_alias(name: &str) -> bool {
    name.strip_prefix("alias/").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 255
            && !rest.starts_with("acs")
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '-' | ':'))
    })
}

fn alias_name<'a>(p: &Params<'a>) -> KmsResult<&'a str> {
    let name = p.req("AliasName")?;
    if !valid_alias(name) {
        return Err(KmsError::invalid("AliasName"));
    }
    Ok(name)
}

pub(super) fn create_alias(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let name = alias_name(p)?;
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    if !ctx.store.insert_alias(name, &key.key_id)? {
        return Err(KmsError::alias_exists());
    }
    Ok(json!({}))
}

pub(super) fn update_alias(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let name = alias_name(p)?;
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    if !ctx.store.update_alias(name, &key.key_id)? {
        return Err(KmsError::alias_not_found());
    }
    Ok(json!({}))
}

pub(super) fn delete_alias(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let name = p.req("AliasName")?;
    if !ctx.store.delete_alias(name)? {
        return Err(KmsError::alias_not_found());
    }
    Ok(json!({}))
}

fn alias_page(ctx: &Ctx, p: &Params, all: Vec<AliasRecord>) -> KmsResult<Value> {
    let (number, size) = p.paging()?;
    let (items, total) = page(all, number, size);
    let list: Vec<Value> = items
        .iter()
        .map(|a| json!({"AliasName": a.alias_name, "AliasArn": ctx.alias_arn(&a.alias_name), "KeyId": a.key_id}))
        .collect();
    Ok(
        json!({"Aliases": {"Alias": list}, "PageNumber": number, "PageSize": size, "TotalCount": total}),
    )
}

pub(super) fn list_aliases(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    alias_page(ctx, p, ctx.store.list_aliases(None)?)
}

pub(super) fn list_aliases_by_key_id(ctx: &Ctx, p: &Params) -> KmsResult<Value> {
    let key = resolve_key(ctx, p.req("KeyId")?)?;
    alias_page(ctx, p, ctx.store.list_aliases(Some(&key.key_id))?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn alias_names() {
        assert!(super::valid_alias("alias/my-key_1/x"));
        assert!(!super::valid_alias("my-key"));
        assert!(!super::valid_alias("alias/"));
        assert!(!super::valid_alias("alias/bad name"));
    }
}
