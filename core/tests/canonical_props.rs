//! Property tests: canonicalisation is deterministic, independent of parameter order, and
//! unambiguous (different parameter sets never share a canonical query), and the wire query
//! decodes back to exactly the parameters given.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kmskit::signing::acs3::{canonical_query_into, wire_path_and_query};
use kmskit::signing::encode::{form_decode, rfc3986};
use kmskit::signing::{acs3, RequestToSign, SigningParams};
use kmskit::Credentials;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn canon(q: &[(String, String)]) -> String {
    let mut s = String::new();
    canonical_query_into(q, &mut s);
    s
}

fn params() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map("[A-Za-z0-9.]{1,12}", "\\PC{0,24}", 0..8)
}

proptest! {
    #[test]
    fn order_does_not_matter(p in params(), seed in any::<u64>()) {
        let mut v: Vec<(String, String)> = p.into_iter().collect();
        let a = canon(&v);
        // A deterministic shuffle.
        let n = v.len();
        for i in 0..n { v.swap(i, (seed as usize).wrapping_mul(31).wrapping_add(i * 7) % n.max(1)); }
        prop_assert_eq!(a, canon(&v));
    }

    #[test]
    fn unambiguous(a in params(), b in params()) {
        let va: Vec<_> = a.clone().into_iter().collect();
        let vb: Vec<_> = b.clone().into_iter().collect();
        prop_assert_eq!(a == b, canon(&va) == canon(&vb));
    }

    #[test]
    fn wire_query_round_trips(p in params()) {
        let v: Vec<(String, String)> = p.into_iter().collect();
        let wire = wire_path_and_query(&v);
        let q = wire.strip_prefix("/?").unwrap_or("");
        let decoded: Vec<(String, String)> = q.split('&').filter(|s| !s.is_empty()).map(|kv| {
            let (k, val) = kv.split_once('=').unwrap();
            (form_decode(k), form_decode(val))
        }).collect();
        prop_assert_eq!(decoded, v);
    }

    #[test]
    fn encoding_is_injective_and_ascii(a in "\\PC{0,16}", b in "\\PC{0,16}") {
        let (ea, eb) = (rfc3986(&a), rfc3986(&b));
        prop_assert!(ea.is_ascii());
        prop_assert_eq!(a == b, ea == eb);
    }

    #[test]
    fn signing_is_deterministic_and_sensitive(p in params(), extra in "[a-z]{1,8}") {
        let v: Vec<(String, String)> = p.into_iter().collect();
        let creds = Credentials::access_key("AK", "SK").unwrap();
        let sp = SigningParams { credentials: &creds, timestamp: "2024-05-01T08:09:10Z", nonce: "0123456789abcdef0123456789abcdef" };
        let req = |q: &'_ [(String, String)]| -> String {
            let r = RequestToSign { method: "POST", host: "kms.cn-hangzhou.aliyuncs.com", action: "Encrypt", version: "2016-01-20", query: q, body: None, user_agent: "ua", retry: None };
            acs3::sign_with_artefacts(&r, &sp).1.signature
        };
        prop_assert_eq!(req(&v), req(&v));
        let mut changed = v.clone();
        changed.push(("ZZExtra".into(), extra));
        prop_assert_ne!(req(&v), req(&changed));
    }
}
