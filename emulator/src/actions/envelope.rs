//! The emulator's CiphertextBlob: a small header naming the key and key version, then the
//! engine's `iv || ciphertext || tag`. The header and the canonical EncryptionContext are the AAD,
//! so neither can be swapped without failing authentication, and Decrypt needs no KeyId even after
//! the key was rotated.
//!
//! Layout: `b"KK"` `0x01` | u8 len | key id | u8 len | key version id | sealed bytes.

use serde_json::Value;

use crate::error::{KmsError, KmsResult};

const MAGIC: &[u8; 3] = b"KK\x01";

pub struct Parsed<'a> {
    pub key_id: String,
    pub key_version_id: String,
    pub header: &'a [u8],
    pub sealed: &'a [u8],
}

pub fn header(key_id: &str, version_id: &str) -> KmsResult<Vec<u8>> {
    let (k, v) = (key_id.as_bytes(), version_id.as_bytes());
    let kl = u8::try_from(k.len()).map_err(|_| KmsError::internal())?;
    let vl = u8::try_from(v.len()).map_err(|_| KmsError::internal())?;
    let mut out = MAGIC.to_vec();
    out.push(kl);
    out.extend_from_slice(k);
    out.push(vl);
    out.extend_from_slice(v);
    Ok(out)
}

pub fn parse(blob: &[u8]) -> KmsResult<Parsed<'_>> {
    let bad = KmsError::invalid_ciphertext;
    let rest = blob.strip_prefix(MAGIC.as_slice()).ok_or_else(bad)?;
    let (&kl, rest) = rest.split_first().ok_or_else(bad)?;
    let kl = usize::from(kl);
    if rest.len() < kl {
        return Err(bad());
    }
    let (k, rest) = rest.split_at(kl);
    let (&vl, rest) = rest.split_first().ok_or_else(bad)?;
    let vl = usize::from(vl);
    if rest.len() < vl {
        return Err(bad());
    }
    let (v, sealed) = rest.split_at(vl);
    let key_id = std::str::from_utf8(k).map_err(|_| bad())?.to_owned();
    let key_version_id = std::str::from_utf8(v).map_err(|_| bad())?.to_owned();
    let header = &blob[..blob.len() - sealed.len()];
    Ok(Parsed {
        key_id,
        key_version_id,
        header,
        sealed,
    })
}

/// AAD = header || 0x00 || canonical context JSON (empty for no context).
pub fn aad(header: &[u8], context: &[u8]) -> Vec<u8> {
    let mut out = header.to_vec();
    out.push(0);
    out.extend_from_slice(context);
    out
}

/// EncryptionContext as canonical bytes: a JSON object with keys sorted at every level, compact.
/// The same map in another order (or with other whitespace) yields the same bytes. An absent or
/// empty context is the empty string.
pub fn canonical_context(raw: Option<&str>, param: &str) -> KmsResult<Vec<u8>> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    if raw.len() > 64 * 1024 {
        return Err(KmsError::invalid(param));
    }
    let v: Value = serde_json::from_str(raw).map_err(|_| KmsError::invalid(param))?;
    let Value::Object(map) = &v else {
        return Err(KmsError::invalid(param));
    };
    if map.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = String::new();
    write_sorted(&v, &mut out);
    Ok(out.into_bytes())
}

// serde_json's map order depends on a workspace-wide feature (`preserve_order`), so sort by hand.
fn write_sorted(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                if let Some(val) = m.get(*k) {
                    write_sorted(val, out);
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_order_independent() {
        let a = canonical_context(Some(r#"{"b":"2","a":"1"}"#), "x").unwrap();
        let b = canonical_context(Some(r#"{ "a" : "1", "b":"2" }"#), "x").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            canonical_context(Some("{}"), "x").unwrap(),
            Vec::<u8>::new()
        );
        assert!(canonical_context(Some("[1]"), "x").is_err());
    }

    #[test]
    fn header_roundtrip_and_garbage() {
        let mut blob = header("key-1", "v-1").unwrap();
        blob.extend_from_slice(&[9; 30]);
        let p = parse(&blob).unwrap();
        assert_eq!(
            (p.key_id.as_str(), p.key_version_id.as_str(), p.sealed.len()),
            ("key-1", "v-1", 30)
        );
        assert!(parse(b"KK\x01\xff").is_err());
        assert!(parse(b"").is_err());
    }
}
