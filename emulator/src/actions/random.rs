//! GetRandomPassword from the OS CSPRNG.

use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Value};

use super::Params;
use crate::error::{KmsError, KmsResult};

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
const PUNCT: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

pub(super) fn get_random_password(p: &Params) -> KmsResult<Value> {
    let len = p.opt_int("PasswordLength")?.unwrap_or(32);
    if !(8..=128).contains(&len) {
        return Err(KmsError::invalid("PasswordLength"));
    }
    let len = usize::try_from(len).map_err(|_| KmsError::invalid("PasswordLength"))?;
    let exclude: Vec<char> = p.opt("ExcludeCharacters").unwrap_or("").chars().collect();
    let mut classes: Vec<Vec<char>> = Vec::new();
    for (flag, set) in [
        ("ExcludeLowercase", LOWER),
        ("ExcludeUppercase", UPPER),
        ("ExcludeNumbers", DIGITS),
        ("ExcludePunctuation", PUNCT),
    ] {
        if !p.flag(flag)? {
            let chars: Vec<char> = set.chars().filter(|c| !exclude.contains(c)).collect();
            if !chars.is_empty() {
                classes.push(chars);
            }
        }
    }
    if classes.is_empty() {
        return Err(KmsError::invalid_msg(
            "No characters are left to build a password from.",
        ));
    }
    let require_each = p.opt_bool("RequireEachIncludedType")?.unwrap_or(true);
    let all: Vec<char> = classes.iter().flatten().copied().collect();
    let mut rng = rand::rngs::OsRng;
    let mut pw: Vec<char> = Vec::with_capacity(len);
    if require_each && classes.len() <= len {
        for class in &classes {
            pw.push(class[rng.gen_range(0..class.len())]);
        }
    }
    while pw.len() < len {
        pw.push(all[rng.gen_range(0..all.len())]);
    }
    pw.shuffle(&mut rng);
    Ok(json!({ "RandomPassword": pw.into_iter().collect::<String>() }))
}
